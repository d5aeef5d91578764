// Runs in the test runner's own process, which no test code shares: each event as one line of JSON.
export default async function* report(source) {
    for await (const event of source) {
        const data = event.data || {};
        const error = data.details && data.details.error;
        const cause = error && (error.cause !== undefined ? error.cause : error);
        yield JSON.stringify({
            type: event.type,
            data: {
                name: data.name, nesting: data.nesting, file: data.file, line: data.line, column: data.column,
                skip: data.skip, todo: data.todo, message: data.message,
                details: data.details && {
                    type: data.details.type,
                    error: error && {
                        failureType: error.failureType,
                        cause: cause && (typeof cause === "object"
                            ? { message: String(cause.message), stack: String(cause.stack || cause.message) }
                            : { message: String(cause), stack: String(cause) }),
                    },
                },
            },
        }) + "\n";
    }
}
