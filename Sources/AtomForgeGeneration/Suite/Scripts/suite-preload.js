// Loaded before each suite file: yields before each test so its results leave the process as they come, and a
// watchdog thread that ends the process when one test runs past its limit, naming it.
const { beforeEach, afterEach } = require("node:test");
const { Worker } = require("node:worker_threads");
const limit = Number(process.env.ATOMFORGE_TEST_LIMIT_MS || 10000);
const clock = new BigInt64Array(new SharedArrayBuffer(8));
const hungFile = process.env.ATOMFORGE_HUNG_FILE;
const watchdog = new Worker(`
  const { workerData } = require("node:worker_threads");
  const fs = require("node:fs");
  setInterval(() => {
    const started = Number(Atomics.load(workerData.clock, 0));
    if (started > 0 && Date.now() - started > workerData.limit) {
      try { fs.appendFileSync(workerData.hungFile, JSON.stringify({ file: workerData.file, pid: process.pid }) + "\\n"); } catch {}
      process.kill(process.pid, "SIGKILL");
    }
  }, 50);
`, { eval: true, workerData: { clock, limit, hungFile, file: process.argv[1] } });
watchdog.unref();
beforeEach(async () => {
  Atomics.store(clock, 0, 0n);
  await new Promise((resolve) => setImmediate(resolve));
  Atomics.store(clock, 0, BigInt(Date.now()));
});
afterEach(() => { Atomics.store(clock, 0, 0n); });
