// @ts-check
'use strict';
// Child-process management for the benchmark: every target runs in its own process, is found
// through the one JSON "listening" line it prints, and is stopped when the run ends — also on
// Ctrl-C, SIGTERM or an uncaught error, so a failed run never leaves servers behind.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const readline = require('node:readline');

const children = new Set();
const tempDirs = new Set();

/** Registers a temp dir (data dirs, documents) to delete when the bench process exits. */
function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

/**
 * Spawns `node <args>` and resolves with { child, info } once it prints a JSON line with
 * msg "listening" (info = that parsed line). Rejects with one line if it exits or times out first.
 */
function startNode(name, args, env, opts = {}) {
  const timeoutMs = opts.timeoutMs || 30000;
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** @type {any} */ (child).benchName = name;
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderrTail = '';
  child.stderr.on('data', (d) => {
    stderrTail = (stderrTail + d.toString()).slice(-2000);
  });
  const lines = readline.createInterface({ input: child.stdout });
  // A gateway's first 'snapshot loaded' line: its own time for the cold load (the log's `ms`).
  /** @type {number | undefined} */
  let firstLoadMs;
  lines.on('line', (line) => {
    if (firstLoadMs !== undefined || !line.includes('"snapshot loaded"')) return;
    try {
      firstLoadMs = JSON.parse(line).ms;
    } catch {
      // not JSON
    }
  });
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${name}: no "listening" line within ${timeoutMs} ms`)), timeoutMs);
    function finish(err, info) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        stop(child).finally(() => reject(err));
      } else resolve({ child, info, lastStderr: () => stderrTail, firstLoadMs: () => firstLoadMs });
    }
    lines.on('line', (line) => {
      if (done || !line.includes('"listening"')) return;
      try {
        const info = JSON.parse(line);
        if (info.msg === 'listening' && info.url) finish(null, info);
      } catch {
        // Not JSON: some other log line mentioning the word; keep waiting.
      }
    });
    child.on('exit', (code, signal) => {
      const why = stderrTail.trim().split('\n').filter(Boolean).pop() || '';
      finish(new Error(`${name} exited (${signal || code}) before listening${why ? ': ' + why.slice(0, 300) : ''}`));
    });
  });
}

/**
 * Registers a child that is not a node target (nginx) so it is stopped with the others.
 * @template {import('node:child_process').ChildProcess} C
 * @param {C} child
 * @returns {C}
 */
function trackChild(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the child has exited. */
function stop(child, graceMs = 12000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    try {
      child.kill('SIGTERM');
    } catch {
      clearTimeout(killer);
      resolve();
    }
  });
}

async function stopAll() {
  await Promise.all([...children].map((c) => stop(c)));
}

let cleaning = false;
/** Installs handlers so Ctrl-C / errors stop every child before the bench exits. */
function installCleanup(onExit) {
  const bail = (code, msg) => {
    if (cleaning) return;
    cleaning = true;
    if (msg) process.stderr.write(`bench: ${msg}\n`);
    stopAll()
      .catch(() => {})
      .finally(() => {
        if (onExit) onExit();
        process.exit(code);
      });
  };
  process.on('SIGINT', () => bail(130, 'interrupted, stopping children'));
  process.on('SIGTERM', () => bail(143, 'terminated, stopping children'));
  process.on('uncaughtException', (e) => bail(1, `error: ${oneLine(e)}`));
  process.on('unhandledRejection', (e) => bail(1, `error: ${oneLine(e)}`));
  // Last resort if the bench exits by another path: never orphan a server; then drop temp dirs.
  process.on('exit', () => {
    for (const c of children) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  });
}

function oneLine(e) {
  const s = e && e.message ? e.message : String(e);
  return s.split('\n')[0].slice(0, 300);
}

function childrenByParent() {
  const byParent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // Field 4 (ppid) follows the ")" closing the command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(d));
    } catch {
      /* process vanished while listing */
    }
  }
  return byParent;
}

/** pid and all its descendants (cluster workers). */
function processTree(pid) {
  const byParent = childrenByParent();
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    for (const k of byParent.get(p) || []) stack.push(k);
  }
  return out;
}

// USER_HZ is 100 on every Linux the bench targets (getconf CLK_TCK); /proc/<pid>/stat counts in it.
const TICK_MS = 10;

/** User and system CPU time (ms) used so far by one process, threads included, from /proc/<pid>/stat. */
function procTimes(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are at 11 and 12 once pid and comm are cut off.
  return { userMs: Number(f[11]) * TICK_MS, sysMs: Number(f[12]) * TICK_MS };
}

/** CPU time (user + system, ms) used so far by pid and its descendants, from /proc/<pid>/stat. */
function cpuTree(pid) {
  let ms = 0;
  for (const p of processTree(pid)) {
    try {
      const t = procTimes(p);
      ms += t.userMs + t.sysMs;
    } catch {
      /* exited */
    }
  }
  return ms;
}

/** VmRSS in bytes of pid and of all its descendants (cluster workers), from /proc. */
function rssTree(pid) {
  const rssOf = (p) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const tree = processTree(pid);
  return { main: rssOf(pid), total: tree.reduce((a, p) => a + rssOf(p), 0), processes: tree.length };
}

module.exports = { startNode, trackChild, stop, stopAll, installCleanup, oneLine, rssTree, cpuTree, procTimes, trackTempDir };
