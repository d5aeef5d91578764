// The run page's script: opens an atom (#atom-<id>) with its attempts side by side, filters the table, and follows
// a running plan by reloading. Everything shown comes from a plan, a model or a validator, so text goes in through
// textContent, and highlighted code through Prism, which escapes what it tokenises.
"use strict";
(() => {
    const data = JSON.parse(document.getElementById("run-data").textContent);
    const atoms = new Map(data.atoms.map((atom) => [atom.id, atom]));
    const neededBy = new Map();
    for (const atom of data.atoms) {
        for (const dependency of atom.depends_on) {
            if (!neededBy.has(dependency)) neededBy.set(dependency, []);
            neededBy.get(dependency).push(atom.id);
        }
    }
    const overview = document.getElementById("overview");
    const detail = document.getElementById("detail");

    /** An element with attributes and children (strings become text, never markup). */
    function element(tag, attributes, ...children) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes || {})) {
            if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
        }
        for (const child of children.flat()) {
            if (child === undefined || child === null || child === false) continue;
            node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
        }
        return node;
    }

    function atomLink(id) {
        return element("a", { href: "#atom-" + id }, element("code", {}, id));
    }

    function joined(nodes) {
        return nodes.flatMap((node, index) => (index === 0 ? [node] : [", ", node]));
    }

    /** Code in a <pre>, highlighted when the page carries the language's grammar. */
    function code(text, grammar, classes) {
        const block = element("code", { class: grammar ? "language-" + grammar : null });
        const languages = window.Prism && window.Prism.languages;
        if (grammar && languages && languages[grammar]) {
            block.innerHTML = window.Prism.highlight(text, languages[grammar], grammar);
        } else {
            block.textContent = text;
        }
        return element("pre", { class: classes }, block);
    }

    function command(text, kind) {
        return element(
            "div",
            { class: "command-line" },
            element("code", { class: "command", "data-command": kind }, text),
            element("button", { type: "button", class: "copy", "data-copy": text }, "copy"),
        );
    }

    function diffBlock(lines, previous) {
        let added = 0;
        let removed = 0;
        const pre = element("pre", { class: "diff" });
        for (const line of lines) {
            const kind = line[0];
            const text = line.slice(1);
            if (kind === "+") {
                added += 1;
                pre.append(element("ins", {}, "+ " + text), "\n");
            } else if (kind === "-") {
                removed += 1;
                pre.append(element("del", {}, "- " + text), "\n");
            } else if (kind === "@") {
                pre.append(element("span", { class: "folded" }, "… " + text + " unchanged lines"), "\n");
            } else {
                pre.append(element("span", {}, "  " + text), "\n");
            }
        }
        const summary =
            added + removed === 0
                ? "No change from attempt " + previous
                : "Changes from attempt " + previous + " (+" + added + " −" + removed + ")";
        return element("details", { class: "diff-block", open: added + removed > 0 ? "" : null },
            element("summary", {}, summary), pre);
    }

    function attemptCard(atom, entry, previous) {
        const attempt = entry.attempt;
        const person = attempt.kind === "person";
        const duplicate = attempt.duplicate_of !== undefined && attempt.duplicate_of !== null;
        const verdict = attempt.passed ? "passed" : "failed" + (attempt.failure ? " · " + attempt.failure : "");
        const how = [];
        if (person) {
            how.push("by a person" + (attempt.source ? ", from " + attempt.source : ""));
        } else {
            how.push((attempt.kind || "sample") + (attempt.repairs ? " of attempt " + attempt.repairs : ""));
            if (attempt.temperature !== undefined && attempt.temperature !== null) {
                how.push("temperature " + attempt.temperature);
            }
            if (attempt.model) how.push(attempt.model);
            if (attempt.latency_s !== undefined) how.push(attempt.latency_s.toFixed(1) + " s");
            if (attempt.tokens) how.push(attempt.tokens.input + " → " + attempt.tokens.output + " tokens");
            if (attempt.truncated) how.push("cut off at max_tokens");
        }
        const card = element(
            "article",
            {
                class: "attempt " + (attempt.passed ? "passed" : "failed") + (duplicate ? " duplicate" : ""),
                id: "attempt-" + atom.id + "-" + attempt.number,
                "data-attempt": attempt.number,
            },
            element("header", {}, element("h4", {}, "Attempt " + attempt.number),
                element("span", { class: "verdict " + (attempt.passed ? "passed" : "failed") }, verdict)),
            element("p", { class: "how" }, how.join(" · ")),
        );
        if (duplicate) {
            card.append(element("p", { class: "duplicate-note" },
                "The same code as attempt " + attempt.duplicate_of + "; not validated again."));
        }
        card.append(code(attempt.code || "(no code in the reply)", atom.grammar, "code"));
        const issues = (attempt.issues || []).filter((issue) => issue.severity !== "info");
        if (issues.length > 0) {
            card.append(element("ul", { class: "issues" }, issues.map((issue) =>
                element("li", { class: issue.severity },
                    element("b", {}, issue.severity), " (" + issue.validator + ") ",
                    element("span", { class: "message" }, issue.message)))));
        }
        if (entry.diff) card.append(diffBlock(entry.diff, previous));
        if (attempt.prompt || attempt.system) {
            const prompt = (attempt.system ? "── system ──\n" + attempt.system + "\n\n── user ──\n" : "") +
                (attempt.prompt || "");
            card.append(element("details", { class: "prompt" }, element("summary", {}, "Prompt"),
                element("pre", { class: "text" }, prompt)));
        }
        if (attempt.reply !== undefined && attempt.reply !== null) {
            card.append(element("details", { class: "reply" }, element("summary", {}, "Reply, as it came"),
                element("pre", { class: "text" }, attempt.reply)));
        }
        return card;
    }

    function takeItFurther(atom) {
        const box = element("section", { class: "take-further" }, element("h3", {}, "Take it further"));
        if (atom.status === "blocked") {
            box.append(element("p", {}, "Not generated: it waits on ", atomLink(atom.blocked_by || "?"),
                ", which did not pass. It is generated as soon as that atom passes."));
            return box;
        }
        if (atom.status === "unfinished") {
            box.append(element("p", {}, "The run stopped before this atom had a verdict; its attempts so far are " +
                "kept. Run the plan again, or retry the run, to go on from them:"),
                command("atomforge retry " + data.run.folder, "retry"));
            return box;
        }
        const hasCode = atom.attempts.some((entry) => entry.attempt.code);
        box.append(
            element("p", {}, "By hand: " + (hasCode ? "edit " : "write the code in "),
                element("code", { class: "edit-file" }, atom.edit_file),
                hasCode ? " (it holds the last attempt's code)" : "", ", then accept it. It is validated like the " +
                "model's code; if it passes, the atom is yours and the atoms waiting on it are generated."),
            command("atomforge accept " + data.run.folder + " " + atom.id, "accept"),
            element("p", {}, "Or by the model again (add --config FILE for another model):"),
            command("atomforge retry " + data.run.folder + " --atoms " + atom.id, "retry"),
        );
        return box;
    }

    function neighbours(atom, status) {
        const same = data.atoms.filter((other) => other.status === status).map((other) => other.id);
        const index = same.indexOf(atom.id);
        const links = [element("a", { href: "#", class: "back" }, "← all atoms")];
        if (index > 0) links.push(" · ", element("a", { href: "#atom-" + same[index - 1] }, "← previous " + status));
        if (index >= 0 && index < same.length - 1) {
            links.push(" · ", element("a", { href: "#atom-" + same[index + 1] }, "next " + status + " →"));
        }
        return element("nav", {}, links);
    }

    function renderAtom(atom) {
        const facts = element("dl", { class: "facts" },
            element("dt", {}, "defines"), element("dd", {}, element("code", {}, atom.name)),
            element("dt", {}, "file"), element("dd", {}, element("code", {}, atom.file)),
            element("dt", {}, "language"), element("dd", {}, atom.language));
        if (atom.depends_on.length > 0) {
            facts.append(element("dt", {}, "depends on"), element("dd", {}, joined(atom.depends_on.map(atomLink))));
        }
        const dependents = neededBy.get(atom.id) || [];
        if (dependents.length > 0) {
            facts.append(element("dt", {}, "needed by"), element("dd", {}, joined(dependents.map(atomLink))));
        }
        if (atom.written_by) facts.append(element("dt", {}, "written by"), element("dd", {}, atom.written_by));
        if (atom.evidence) facts.append(element("dt", {}, "evidence"), element("dd", {}, atom.evidence));
        const status = atom.status + (atom.written_by === "person" ? " (by a person)" : "");
        const parts = [
            neighbours(atom, atom.status),
            element("h2", {}, element("code", {}, atom.id), " ",
                element("span", { class: "status " + atom.status, id: "atom-status" }, status)),
        ];
        if (atom.reason && atom.status !== "passed") parts.push(element("p", { class: "reason" }, atom.reason));
        parts.push(facts);
        if (atom.status === "failed" || atom.status === "blocked" || atom.status === "unfinished") {
            parts.push(takeItFurther(atom));
        }
        parts.push(element("h3", {}, "What it must do"), element("p", { class: "description" }, atom.description));
        if (atom.tests) parts.push(element("h3", {}, "Its tests"), code(atom.tests.trim(), atom.grammar, "tests"));
        const attempts = atom.attempts;
        parts.push(element("h3", {}, attempts.length === 0 ? "No attempts yet" :
            "Attempts (" + attempts.length + ")" + (attempts.length > 1 ? ", side by side" : "")));
        if (attempts.length > 0) {
            parts.push(element("div", { class: "attempts" }, attempts.map((entry, index) =>
                attemptCard(atom, entry, index > 0 ? attempts[index - 1].attempt.number : null))));
        }
        detail.replaceChildren(...parts);
    }

    function select(id) {
        for (const node of document.querySelectorAll(".selected")) node.classList.remove("selected");
        for (const node of document.querySelectorAll('[data-atom="' + CSS.escape(id) + '"]')) {
            node.classList.add("selected");
        }
    }

    function openAtom() {
        const match = location.hash.match(/^#atom-(.+)$/);
        if (!match) return null;
        try {
            return atoms.get(decodeURIComponent(match[1])) || null;
        } catch (error) {
            return null; // a malformed hash: show the overview
        }
    }

    function route() {
        const atom = openAtom();
        if (atom) {
            renderAtom(atom);
            select(atom.id);
            overview.hidden = true;
            detail.hidden = false;
        } else {
            detail.hidden = true;
            overview.hidden = false;
        }
    }

    // The table's filters: a status (the counts are buttons) and text.
    let statusFilter = null;
    const filter = document.getElementById("filter");
    const note = document.getElementById("filter-note");
    const rows = Array.from(document.querySelectorAll("#atoms tbody tr"));
    function applyFilter() {
        const words = filter.value.trim().toLowerCase();
        let shown = 0;
        for (const row of rows) {
            const visible = (!statusFilter || row.classList.contains(statusFilter)) &&
                (!words || row.textContent.toLowerCase().includes(words));
            row.hidden = !visible;
            if (visible) shown += 1;
        }
        note.textContent = shown === rows.length ? "" : shown + " of " + rows.length + " shown";
        for (const button of document.querySelectorAll("button.count")) {
            button.classList.toggle("active", button.dataset.filter === statusFilter);
        }
    }
    filter.addEventListener("input", applyFilter);
    for (const button of document.querySelectorAll("button.count")) {
        button.addEventListener("click", () => {
            statusFilter = statusFilter === button.dataset.filter ? null : button.dataset.filter;
            if (location.hash) {
                history.pushState(null, "", location.pathname + location.search);
                route();
            }
            applyFilter();
            document.getElementById("atoms").scrollIntoView();
        });
    }

    document.addEventListener("click", (event) => {
        const button = event.target.closest("button.copy");
        if (!button) return;
        navigator.clipboard.writeText(button.dataset.copy).then(
            () => { button.textContent = "copied"; },
            () => { button.textContent = "select and copy"; },
        );
    });

    // Following a running plan: the page is rewritten as atoms finish, so it reloads itself, keeping where the
    // person was (scroll, filters). It waits while an atom is open or a prompt or reply is unfolded, so reading is
    // never cut short; a page nobody has rewritten for 90 s (its run died) says so and stops.
    const follow = document.getElementById("follow");
    const viewKey = "atomforge.view:" + location.pathname;
    function saveView() {
        const view = { y: window.scrollY, status: statusFilter, words: filter.value };
        try { sessionStorage.setItem(viewKey, JSON.stringify(view)); } catch (error) { /* file:// may refuse */ }
    }
    function restoreView() {
        let view = null;
        try {
            view = JSON.parse(sessionStorage.getItem(viewKey) || "null");
            sessionStorage.removeItem(viewKey);
        } catch (error) { /* nothing kept */ }
        if (!view) return;
        statusFilter = view.status || null;
        filter.value = view.words || "";
        applyFilter();
        window.scrollTo(0, view.y || 0);
    }
    if (follow && data.run.state === "running") {
        const key = "atomforge.follow:" + location.pathname;
        try { follow.checked = localStorage.getItem(key) !== "off"; } catch (error) { /* file:// may refuse */ }
        follow.addEventListener("change", () => {
            try { localStorage.setItem(key, follow.checked ? "on" : "off"); } catch (error) { /* ignore */ }
        });
        const stale = document.createElement("span");
        follow.parentElement.after(stale);
        setInterval(() => {
            if (Date.now() - data.run.written_at > 90000) {
                stale.textContent = " — this page has not been rewritten for " +
                    Math.round((Date.now() - data.run.written_at) / 60000) + " min: the run may have stopped (a " +
                    "crash?). Running the plan again goes on from where it stopped.";
                follow.checked = false;
                follow.disabled = true;
                return;
            }
            const reading = !detail.hidden || document.querySelector("details.prompt[open], details.reply[open]");
            if (follow.checked && !document.hidden && !reading) {
                saveView();
                location.reload();
            }
        }, 5000);
    }

    window.addEventListener("hashchange", () => {
        route();
        window.scrollTo(0, 0);
    });
    route();
    restoreView();
    // How long the page took to be ready: read by the benchmark (scripts/bench-run-page).
    void document.body.offsetHeight;
    document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
})();
