/**
 * CPU time of processes on this machine, from Linux's /proc: a child server's, and PostgreSQL's
 * (every process named postgres: the backends, the WAL writer, the checkpointer). The benches
 * print it per call beside the latencies, because on a machine of two CPUs shared by the client,
 * the server and the database, the latencies follow the CPU each call costs the three together,
 * and the machine's speed varies from day to day. Where /proc cannot be read, the figures are
 * empty.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Linux's clock ticks per second for /proc's utime and stime (USER_HZ, 100 on every common build). */
const TICKS_PER_SECOND = 100;

/** The user and system CPU a process has used, in ms, or undefined where it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return cpuOfStat(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The CPU every running process named postgres has used, in ms, or undefined without /proc. */
export function postgresCpuMs(): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let total = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') total += cpuOfStat(stat);
    } catch {
      // Gone meanwhile: a connection that ended.
    }
  }
  return total;
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat; the name before them may hold spaces). */
function cpuOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** This process's user and system CPU, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A meter over a stretch of work: CPU per call of each process watched, in ms. */
export class CpuMeter {
  private readonly start: (number | undefined)[];

  constructor(private readonly read: readonly (() => number | undefined)[]) {
    this.start = read.map((r) => r());
  }

  /** CPU per call since the meter started, in ms, in the order of `read`; undefined where unknown. */
  used(calls: number): (number | undefined)[] {
    return this.read.map((r, i) => {
      const now = r();
      const then = this.start[i];
      return now === undefined || then === undefined ? undefined : (now - then) / calls;
    });
  }

  /** `used`, as table cells in ms; '' where unknown. */
  perCall(calls: number): string[] {
    return this.used(calls).map((ms) => (ms === undefined ? '' : ms.toFixed(2)));
  }
}
