import { pathLengths } from '@visorkit/core';
import { GUEST_FITTED } from '../calibration.js';

/**
 * Instruction counts of the guest kernel's code paths: a property of this kernel (a Linux
 * 2.6-like one), the same on every platform. Cycles = instructions × the profile's kernel
 * CPI; what the platform adds (traps, hypercalls, exits, validations) is charged by the
 * plugins. Each is a calibration-ledger entry naming the Linux 2.6 function it stands for and
 * how it was counted; most are estimates from the structure of the C (about 2-4 x86
 * instructions per line of straight-line C, loops per iteration). The fork base is fitted
 * (`../calibration.ts`); exec is built from its parts (execSetup, execCopyStrings,
 * execLoadElf, the mappings, the faults, and ld.so's work in `dynamic-linker.ts`). Nothing
 * here is keyed to a benchmark.
 *
 * @public
 */
export const GUEST_PATH = pathLengths('@visorkit/guest', {
  syscallDispatch: {
    value: 60,
    unit: 'instructions',
    source:
      'Linux 2.6.16 arch/i386/kernel/entry.S sysenter_entry/system_call: SAVE_ALL, the syscall-table bound check and dispatch, the work-pending test and RESTORE_ALL; counted from the assembly (~60 instructions)',
  },
  trivialSyscall: {
    value: 20,
    unit: 'instructions',
    source: 'sys_getppid (kernel/timer.c): current->group_leader->real_parent->tgid under rcu; counted from the C (~20 instructions)',
  },
  nullIo: {
    value: 120,
    unit: 'instructions',
    source: 'vfs_write on /dev/null: fget_light, rw_verify_area, the write_null method, fput_light; estimated from the C',
  },
  pathComponent: {
    value: 220,
    unit: 'instructions',
    source: 'link_path_walk / do_lookup per component on a dcache hit (hash, d_lookup, permission check); estimated from the C',
  },
  statBody: {
    value: 250,
    unit: 'instructions',
    source: 'vfs_stat beyond the lookup: generic_fillattr and cp_new_stat copying the attributes out; estimated from the C',
  },
  openBody: {
    value: 700,
    unit: 'instructions',
    source: 'do_sys_open beyond the lookup: get_unused_fd, get_empty_filp, __dentry_open, fd_install; estimated from the C',
  },
  closeBody: { value: 250, unit: 'instructions', source: 'sys_close / filp_close / __fput; estimated from the C' },
  sigaction: { value: 150, unit: 'instructions', source: 'sys_rt_sigaction / do_sigaction: copy in, lock, set, copy out; estimated from the C' },
  signalDelivery: {
    value: 700,
    unit: 'instructions',
    source: 'do_signal / handle_signal / setup_rt_frame (arch/i386/kernel/signal.c): building the signal frame on the user stack; estimated from the C',
  },
  sigreturn: { value: 450, unit: 'instructions', source: 'sys_rt_sigreturn / restore_sigcontext; estimated from the C' },
  forkPerVma: {
    value: 600,
    unit: 'instructions',
    source: 'dup_mmap per vm_area_struct: kmem_cache_alloc, the copy, anon_vma_link, rb-tree and list insertion; estimated from the C',
  },
  forkPerPte: {
    value: 70,
    unit: 'instructions',
    source:
      'copy_pte_range per present entry: pte test, vm_normal_page, get_page, page_dup_rmap and the COW write-protect; estimated from the C (~70 instructions)',
  },
  exitBase: {
    value: 18000,
    unit: 'instructions',
    source: 'do_exit beyond unmapping: exit_sem, __exit_files, __exit_fs, exit_notify, the final schedule; estimated from the C',
  },
  unmapPerPte: {
    value: 60,
    unit: 'instructions',
    source: 'zap_pte_range per present entry: ptep_get_and_clear, page_remove_rmap, the mmu_gather free; estimated from the C',
  },
  waitBody: {
    value: 5000,
    unit: 'instructions',
    source: 'sys_wait4 / wait_task_zombie: reaping a zombie (release_task, the rusage copy); estimated from the C',
  },
  execSetup: {
    value: 3500,
    unit: 'instructions',
    source:
      "Linux 2.6.16 do_execve up to the binary handler: the linux_binprm allocation, open_exec's permission checks (the path walk is charged per component), mm_alloc / mm_init (the new page directory is charged as page-table work), prepare_binprm's credential computation and security hooks, and kernel_read of the file's first 128 bytes through the page cache (find_get_page and a copy); estimated from the C",
  },
  execCopyStrings: {
    value: 2500,
    unit: 'instructions',
    source:
      'copy_strings / copy_strings_kernel (fs/exec.c) for the file name, the arguments and an environment of about 1 KiB (the ~25 variables of a login environment of the era): strnlen_user and copy_from_user per string, get_arg_page per page of the new stack; estimated from the C',
  },
  execLoadElf: {
    value: 7000,
    unit: 'instructions',
    source:
      "load_elf_binary (fs/binfmt_elf.c, Linux 2.6.16) beyond its mappings: the ELF and program-header checks and kernel_read of the headers (page-cache hits), the interpreter's open_exec and header read, flush_old_exec (de_thread, exec_mmap switching to the new mm, flush_signal_handlers, the close-on-exec scan), setup_arg_pages, create_elf_tables (the auxiliary vector and the argv / envp pointer arrays) and start_thread; estimated from the C",
  },
  execPerVma: {
    value: 900,
    unit: 'instructions',
    source:
      'exec per vm_area_struct of the new image (do_mmap_pgoff from load_elf_binary: get_unmapped_area, vma_merge, the rb-tree insert); estimated from the C',
  },
  faultHandler: {
    value: 750,
    unit: 'instructions',
    source:
      'do_page_fault / handle_mm_fault / __handle_mm_fault to the pte level (find_vma, the access checks, the per-level allocation tests) and the return path; estimated from the C',
  },
  faultAroundPerPage: {
    value: 90,
    unit: 'instructions',
    source: 'mapping one more page-cache page beside a faulting file page (find_get_page, the pte store, page_add_file_rmap); estimated from the C',
  },
  zapPerPte: {
    value: 8,
    unit: 'instructions',
    source: 'zap_pte_range per present entry of a file mapping whose page the page cache keeps (clear, a reference drop); estimated from the C',
  },
  populatePerPage: {
    value: 8,
    unit: 'instructions',
    source: 'MAP_POPULATE / make_pages_present per page-cache page mapped at mmap time beyond the pte store; estimated from the C',
  },
  mmapBody: {
    value: 1800,
    unit: 'instructions',
    source: 'do_mmap_pgoff: get_unmapped_area, security and accounting checks, vma allocation and insertion; estimated from the C',
  },
  munmapBody: { value: 1500, unit: 'instructions', source: 'do_munmap: find_vma, split, detach, unmap_region set-up and the TLB gather; estimated from the C' },
  schedule: {
    value: 1500,
    unit: 'instructions',
    source:
      'schedule() and context_switch() in Linux 2.6 (the O(1) scheduler): dequeue, pick from the priority array, switch_mm and switch_to; estimated from the C',
  },
  pipeBody: {
    value: 500,
    unit: 'instructions',
    source: 'pipe_read / pipe_write beyond the copy: the pipe mutex, buffer bookkeeping, the wake-up test; estimated from the C',
  },
  wakeUp: { value: 300, unit: 'instructions', source: 'try_to_wake_up: lock the run queue, activate_task, the preemption check; estimated from the C' },
  socketCreate: { value: 1500, unit: 'instructions', source: 'sys_socket: sock_alloc, inet_create, sock_map_fd; estimated from the C' },
  bindBody: { value: 400, unit: 'instructions', source: 'inet_bind: the port lookup and hash insertion; estimated from the C' },
  listenBody: { value: 300, unit: 'instructions', source: 'inet_listen / inet_csk_listen_start; estimated from the C' },
  acceptBody: { value: 2000, unit: 'instructions', source: 'inet_csk_accept and sock_map_fd for the new socket; estimated from the C' },
  connectBody: { value: 3000, unit: 'instructions', source: 'tcp_v4_connect: route lookup, port choice, building the SYN; estimated from the C' },
  socketSend: {
    value: 1200,
    unit: 'instructions',
    source: 'sock_sendmsg / tcp_sendmsg entry and socket locking (the data copy is charged by size); estimated from the C',
  },
  socketReceive: { value: 1000, unit: 'instructions', source: 'sock_recvmsg / tcp_recvmsg entry and socket locking; estimated from the C' },
  tcpOutput: { value: 2400, unit: 'instructions', source: 'tcp_transmit_skb, ip_queue_xmit, dev_queue_xmit for one segment; estimated from the C' },
  tcpInput: {
    value: 2400,
    unit: 'instructions',
    source: 'netif_receive_skb, ip_rcv, tcp_v4_rcv, tcp_rcv_established queueing one data segment; estimated from the C',
  },
  tcpAck: { value: 900, unit: 'instructions', source: 'a header-only acknowledgement in or out (tcp_send_ack / tcp_ack fast path); estimated from the C' },
  ptyCreate: {
    value: 9000,
    unit: 'instructions',
    source: 'ptmx_open, tty_init_dev, devpts_pty_new: the pty pair and its /dev/pts inode; estimated from the C',
  },
  ttyLineDiscipline: {
    value: 900,
    unit: 'instructions',
    source: 'n_tty output processing, the flip-buffer push and the peer n_tty receive per write; estimated from the C',
  },
  listBase: { value: 800, unit: 'instructions', source: 'seq_file / readdir set-up listing a kernel table (/proc/net/tcp, /dev/pts); estimated from the C' },
  listPerEntry: { value: 350, unit: 'instructions', source: 'formatting one entry of such a listing (seq_printf); estimated from the C' },
  selectBase: { value: 400, unit: 'instructions', source: 'core_sys_select entry: copy the fd sets in and out; estimated from the C' },
  selectPerFd: {
    value: 120,
    unit: 'instructions',
    source: 'do_select per descriptor: fget, the poll method (tcp_poll / pipe_poll), fput; estimated from the C',
  },
  switchKernelBytes: {
    value: 8192,
    unit: 'bytes',
    source:
      'kernel data a Linux 2.6 pipe-driven switch touches and that competes with user data for the cache: the two task_structs (~1.3 KiB each in 2.6.16), the used top of two kernel stacks (~1 KiB each), the run queue, the pipe_inode_info and the pipe buffer lines, the two files_structs and mm_structs: about 8 KiB, counted from the structure sizes',
  },
  fsyncBody: { value: 2000, unit: 'instructions', source: 'do_fsync: filemap_fdatawrite walking the dirty pages, then the wait; estimated from the C' },
});

const fitted = GUEST_FITTED.value;

/**
 * Every kernel path's instruction count by name: the ledger's path lengths and, read live, the fitted fork base.
 *
 * @public
 */
export const PATH: Readonly<Record<keyof typeof GUEST_PATH.value | 'forkBase', number>> = Object.defineProperties(
  { ...GUEST_PATH.value } as Record<keyof typeof GUEST_PATH.value | 'forkBase', number>,
  {
    forkBase: { get: () => fitted.forkBase, enumerable: true },
  },
);

/**
 * Kernel code path names.
 *
 * @public
 */
export type PathName = keyof typeof PATH;
