import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT_DIR = resolve(import.meta.dirname, "..", "..");
const START_SECONDS = 90;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/v1/health/deep`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

function stop(stack: ChildProcess): Promise<void> {
  if (stack.exitCode !== null || stack.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => stack.kill("SIGKILL"), 20_000);
    stack.once("exit", () => {
      clearTimeout(kill);
      done();
    });
    stack.kill("SIGINT"); // as a developer stops `make run`: it removes its state file and stops moto
  });
}

/**
 * Playwright's global setup: the local stack as `make run` starts it (python -m infra.local), on
 * free ports, with its own state file (so it never touches a developer's running stack), until
 * the run ends; its seeded demo data arrives through the feed moments after it answers. The
 * tests find it at PORTAL_BASE_URL. When PORTAL_BASE_URL is already set, that stack is used.
 */
export default async function startStack(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PORTAL_BASE_URL) return undefined;
  const [apiPort, awsPort] = [await freePort(), await freePort()];
  const directory = mkdtempSync(join(tmpdir(), "portal-browser-"));
  const logPath = join(directory, "stack.log");
  // The stack's own settings only: none of the caller's AWS_ or PORTAL_ variables leak in.
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_") && !name.startsWith("PORTAL_")),
  );
  const python = process.env.PORTAL_PYTHON ?? join(PROJECT_DIR, ".venv", "bin", "python");
  const log = openSync(logPath, "w");
  const stack = spawn(python, ["-m", "infra.local"], {
    cwd: PROJECT_DIR,
    stdio: ["ignore", log, log],
    env: {
      ...environment,
      PYTHONUNBUFFERED: "1",
      TZ: "UTC",
      PORTAL_PORT: String(apiPort),
      PORTAL_AWS_PORT: String(awsPort),
      PORTAL_LOCAL_STATE: join(directory, "stack.json"),
      // Every journey signs in from this one address, more than the 20 attempts in five minutes
      // a person gets; the limit itself is tested against the API (tests/integration/identity).
      PORTAL_ATTEMPTS_PER_ADDRESS: "200",
    },
  });
  // If this process dies before the teardown runs, the stack must not outlive it.
  const orphanGuard = () => stack.kill("SIGKILL");
  process.once("exit", orphanGuard);
  const url = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + START_SECONDS * 1000;
  while (!(await healthy(url))) {
    if (stack.exitCode !== null || Date.now() > deadline) {
      await stop(stack);
      throw new Error(`the local stack did not start:\n${readFileSync(logPath, "utf8").slice(-4000)}`);
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  process.env.PORTAL_BASE_URL = url;
  process.env.PORTAL_BROWSER_STATE = join(directory, "stack.json"); // where `make feed` finds it
  return async () => {
    await stop(stack);
    process.removeListener("exit", orphanGuard);
    rmSync(directory, { recursive: true, force: true });
  };
}
