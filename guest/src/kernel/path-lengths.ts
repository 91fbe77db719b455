/**
 * Instruction counts of the guest kernel's code paths: a property of this kernel (a Linux
 * 2.6-like one), the same on every platform. Cycles = instructions × the profile's kernel
 * CPI; what the platform adds (traps, hypercalls, exits, validations) is charged by the
 * plugins. Estimates follow the structure of Linux 2.6 paths and lmbench-era measurements
 * (McVoy & Staelin; the Xen and VServer papers' lmbench tables), calibrated so native runs
 * land near the seed's Linux-UP column. Nothing here is keyed to a benchmark.
 */
export const PATH = {
  /** System-call dispatch and return work beyond the hardware round trip. */
  syscallDispatch: 60,
  /** getppid-class trivial system call body. */
  trivialSyscall: 20,
  /** read/write on /dev/null. */
  nullIo: 120,
  /** Path lookup per component (dcache hit). */
  pathComponent: 220,
  /** stat body beyond the lookup (copying the inode attributes out). */
  statBody: 250,
  /** open: file-table slot, struct file set-up. close: tear-down. */
  openBody: 700,
  closeBody: 250,
  /** sigaction body. */
  sigaction: 150,
  /** Delivering a signal: building the signal frame on the user stack. */
  signalDelivery: 700,
  /** sigreturn: restoring the context from the frame. */
  sigreturn: 450,
  /** fork: task struct, credentials, files, signal handlers — all but the memory. */
  forkBase: 45000,
  /** fork: per VMA copied (vm_area_struct, rmap anon_vma links). */
  forkPerVma: 600,
  /** fork: per page-table entry visited while copying (test, get page, COW-protect). */
  forkPerPte: 70,
  /** exit: signals, files, task teardown, beyond unmapping. */
  exitBase: 18000,
  /** Tearing down: per present entry (page ref drop, rmap). */
  unmapPerPte: 60,
  /** wait4: reaping a zombie child. */
  waitBody: 5000,
  /** exec: loader (ELF headers, argument copy, credential checks) beyond the mappings. */
  execBase: 137000,
  /** exec: per VMA set up for the new image. */
  execPerVma: 900,
  /** Page fault handler: find the VMA, decide, return (beyond trap and the page work). */
  faultHandler: 750,
  /** Fault-around: mapping one more page-cache page next to a faulting file page. */
  faultAroundPerPage: 90,
  /** munmap of a file mapping: per present entry zapped (the page cache keeps the page). */
  zapPerPte: 8,
  /** MAP_POPULATE: per page-cache page mapped at mmap time. */
  populatePerPage: 8,
  /** mmap / munmap bodies (VMA insert/remove, accounting). */
  mmapBody: 1800,
  munmapBody: 1500,
  /** Scheduler: picking the next process and switching kernel stacks. */
  schedule: 1500,
  /** Pipe read or write body (copy excluded). */
  pipeBody: 500,
  /** Waking a sleeping process. */
  wakeUp: 300,
  /** socket(): allocating the socket, its file and inode. */
  socketCreate: 1500,
  /** bind / listen bodies (port lookup, hash insertion). */
  bindBody: 400,
  listenBody: 300,
  /** accept: taking a connection off the queue and giving it a file. */
  acceptBody: 2000,
  /** connect: route lookup, port choice, building the SYN. */
  connectBody: 3000,
  /** sendmsg / recvmsg entry and socket locking (the data copy is charged by size). */
  socketSend: 1200,
  socketReceive: 1000,
  /** TCP output of one segment: tcp_transmit_skb, ip_output, queueing to the driver. */
  tcpOutput: 2400,
  /** TCP input of one data segment: netif_receive_skb, ip_rcv, tcp_v4_rcv, queueing. */
  tcpInput: 2400,
  /** A pure acknowledgement in or out (header-only fast path). */
  tcpAck: 900,
  /**
   * Opening /dev/ptmx: allocating the pty pair's two tty_structs, initialising their line
   * disciplines and creating the /dev/pts inode (ptmx_open, tty_init_dev, devpts_pty_new).
   */
  ptyCreate: 9000,
  /** A tty write beyond the pipe-like buffer work: n_tty output processing, the flip-buffer push and the other side's n_tty receive. */
  ttyLineDiscipline: 900,
  /** Listing a kernel table (/proc/net/tcp, /dev/pts): seq_file or readdir set-up. */
  listBase: 800,
  /** Listing: formatting one entry shown. */
  listPerEntry: 350,
  /** select: entry, and the poll of each descriptor (tcp_poll / pipe_poll). */
  selectBase: 400,
  selectPerFd: 120,
  /** fsync: walking the file's dirty pages and waiting (the I/O is the disk's). */
  fsyncBody: 2000,
} as const;

/** Kernel code path names. */
export type PathName = keyof typeof PATH;
