/**
 * How much of a cached load came from the disk rather than the page cache, from /proc/vmstat.
 *
 * Why the bench needs it: the IndexedDB read it sets a cached load against comes from the page cache,
 * and a load that reads its files from the disk is another measurement. A machine can drop them
 * between two loads: this one's kernel runs a DAMON "pageout" scheme (/sys/kernel/mm/damon/admin)
 * that drops file pages no one has read for a minute, up to 128 MB a second. The figures say which
 * kind each load was.
 */
import { readFileSync } from 'node:fs';

export interface VmCounters {
  /** KB read from block devices. */
  pgpgin: number;
  /** Pages of files read again after the kernel had dropped them from the page cache. */
  refaultFile: number;
  /** Page faults, and those served with a 2 MB huge page (a heap first written costs one of them per 4 KB or per 2 MB). */
  pgfault: number;
  thpFault: number;
}

export function vmCounters(): VmCounters {
  const get = (text: string, key: string): number => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  try {
    const text = readFileSync('/proc/vmstat', 'utf8');
    return { pgpgin: get(text, 'pgpgin'), refaultFile: get(text, 'workingset_refault_file'), pgfault: get(text, 'pgfault'), thpFault: get(text, 'thp_fault_alloc') };
  } catch {
    return { pgpgin: 0, refaultFile: 0, pgfault: 0, thpFault: 0 }; // not Linux: the figures read as zero
  }
}

export interface DiskReads {
  /** MB read from the disk in the interval (every process on the machine). */
  readMB: number;
  /** MB of file pages read again after the page cache had dropped them. */
  refaultMB: number;
  /** Page faults in the interval (every process), and how many of them took a 2 MB huge page. */
  faults: number;
  hugeFaults: number;
}

const PAGE = 4096;

export function diskReadsSince(before: VmCounters, after = vmCounters()): DiskReads {
  return {
    readMB: Math.round((after.pgpgin - before.pgpgin) / 1000),
    refaultMB: Math.round(((after.refaultFile - before.refaultFile) * PAGE) / 1e6),
    faults: after.pgfault - before.pgfault,
    hugeFaults: after.thpFault - before.thpFault,
  };
}

export const describeDiskReads = (d: DiskReads): string =>
  `${d.readMB} MB from the disk (${d.refaultMB} MB of it dropped from the page cache earlier); ${(d.faults / 1e6).toFixed(2)} million page faults, ${d.hugeFaults} of them 2 MB pages`;
