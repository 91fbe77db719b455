import { BROADCAST_ADDRESS, CheckpointRefusedError, InvalidArgumentError, type NetFrame, type Vcpu } from '@visorkit/core';
import { ANY_ADDRESS, LOOPBACK_ADDRESS, Socket, TcpStack } from '../net/tcp-stack.js';
import type { Process } from '../process/process.js';
import { Errno, type SyscallName } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';

/** Bytes of a gratuitous ARP frame (the Ethernet minimum). */
const ANNOUNCE_BYTES = 60;

/** The socket calls that take no descriptor's data. */
export type SocketCall = 'socket' | 'bind' | 'listen' | 'accept' | 'connect';

/**
 * The sockets glue: the kernel's addresses and their interfaces on the platform's NIC, the
 * TCP stack (set up on first use), the socket system calls, and a migrated kernel's
 * announcement of its addresses from the new machine.
 */
export class Sockets implements KernelPart<Record<string, never>> {
  /** The TCP stack and interface, set up on first socket use. */
  tcp: TcpStack | undefined;
  /** Interface number of each of the kernel's addresses, once attached. */
  readonly #ifaces = new Map<string, number>();
  /** Migrated with interfaces: announce them from the new machine on the next burst. */
  #announcePending = false;
  /** The primary address (connections to other machines leave from it). */
  readonly #address: string | undefined;
  /** Every address the kernel owns, the primary first. */
  readonly #addresses: readonly string[];
  readonly #mtu: number;

  constructor(
    readonly k: Kernel,
    options: GuestKernelOptions,
  ) {
    this.#address = options.address ?? options.addresses?.[0];
    const addresses: string[] = [];
    for (const a of [...(this.#address === undefined ? [] : [this.#address]), ...(options.addresses ?? [])]) {
      if (typeof a !== 'string' || a === '' || a === ANY_ADDRESS || a === LOOPBACK_ADDRESS) {
        throw new InvalidArgumentError(
          'address',
          `'${String(a)}' cannot be an interface address of guest '${k.domain.name}' (use a unicast address such as 10.0.0.1)`,
        );
      }
      if (!addresses.includes(a)) addresses.push(a);
    }
    this.#addresses = addresses;
    this.#mtu = options.mtu ?? 1500;
  }

  /**
   * Nothing of its own without open sockets (the interfaces come back from the boot options);
   * refused while there are, as TCP connection state is not checkpointed.
   */
  save(): Record<string, never> {
    if (this.tcp?.busy === true) throw new CheckpointRefusedError(this.k.domain.name, 'it has open sockets, and TCP connection state is not checkpointed');
    return {};
  }

  load(): void {}

  /** With an address the interface is up from boot: a connection to a closed port is refused. */
  boot(): void {
    if (this.#address !== undefined) this.net();
  }

  /** After a live migration: the addresses are claimed on the new machine, announced on the next burst. */
  migrated(): void {
    if (this.#ifaces.size > 0) {
      for (const address of this.#addresses) this.#attach(address);
      this.#announcePending = true;
    }
  }

  /** The TCP stack, attaching the interfaces on first use; undefined without an address. */
  net(): TcpStack | undefined {
    if (this.tcp !== undefined) return this.tcp;
    const address = this.#address;
    if (address === undefined) return undefined;
    const k = this.k;
    this.tcp = new TcpStack(
      {
        address,
        isLocal: (a) => this.#isLocal(a),
        transmit: (frame) => {
          // Loopback: the stack hands its own traffic back to itself; no device is involved.
          if (this.#isLocal(frame.destination)) {
            k.scheduler.raiseSoftirq(() => this.tcp!.input(frame));
            return;
          }
          // Out of the interface that owns the source address (the NIC filters spoofing).
          const iface = this.#ifaces.get(frame.source);
          if (iface === undefined) this.tcp!.dropped++;
          else k.hv.network.transmit(k.cpu!, iface, frame);
        },
        cost: (path) => k.charge(k.cpu!, path),
        wake: (socket) => k.scheduler.wakeAll(k.cpu!, socket.waiters),
        timer: (delayNs, fn) => k.hv.sim.schedule(delayNs, () => k.scheduler.raiseSoftirq(fn)),
        // The payload lands in skb pages of the socket's receive queue, written by the
        // device (DMA, or the back end's copy) rather than by the kernel's own stores.
        received: (socket, len) => socket.receivePages.append(k.cpu!, k, len, true),
        acknowledged: (socket) => socket.sendPages.consumeTo(k, socket.sndUna),
        released: (socket) => {
          socket.sendPages.clear(k);
          socket.receivePages.clear(k);
        },
      },
      this.#mtu,
    );
    for (const a of this.#addresses) this.#attach(a);
    return this.tcp;
  }

  /**
   * Attaches (or, after a migration, re-attaches) the interface for one of the kernel's
   * addresses. Frames still reaching the interface left behind on a machine the kernel has
   * migrated away from are lost, as they are at a suspended domain's virtual NIC.
   */
  #attach(address: string): void {
    const k = this.k;
    const domain = k.domain;
    this.#ifaces.set(
      address,
      k.hv.network.attachInterface(domain, address, (frame: NetFrame) => {
        if (k.domain === domain) k.scheduler.raiseSoftirq(() => this.tcp!.input(frame));
        else this.tcp!.dropped++;
      }),
    );
  }

  /**
   * After a migration, announces each address from the new machine (the gratuitous ARP
   * Linux's netfront sends on resume), so switches learn where it lives now.
   */
  announceIfMigrated(vcpu: Vcpu): void {
    if (!this.#announcePending) return;
    this.#announcePending = false;
    for (const [address, iface] of this.#ifaces) {
      this.k.charge(vcpu, 'tcpAck');
      this.k.hv.network.transmit(vcpu, iface, { source: address, destination: BROADCAST_ADDRESS, bytes: ANNOUNCE_BYTES });
    }
  }

  /** One of the kernel's own addresses, or loopback: traffic to it never reaches a device. */
  #isLocal(address: string): boolean {
    return address === LOOPBACK_ADDRESS || this.#addresses.includes(address);
  }

  /**
   * The local address a socket of `p` may bind: `''` for any, a specific address, or null
   * when refused (the context's filter, or not an address of this kernel).
   */
  #bindAddress(vcpu: Vcpu, p: Process, requested: unknown): string | null {
    if (requested !== undefined && typeof requested !== 'string') return null;
    const any = requested === undefined || requested === ANY_ADDRESS;
    const asked = any ? undefined : requested;
    const chosen = this.k.policy.bindAddress(vcpu, p, asked);
    if (chosen === null) return null;
    if (chosen === undefined || chosen === ANY_ADDRESS) return '';
    return this.#isLocal(chosen) ? chosen : null;
  }

  /** The last descriptor of `socket` went away: data never read is discarded, the rest is the stack's. */
  close(socket: Socket): void {
    socket.receivePages.clear(this.k);
    this.tcp?.close(socket);
  }

  /** The sockets system call: how many sockets `p` can see. */
  count(vcpu: Vcpu, p: Process): number {
    return this.k.descriptors.countVisible(vcpu, p, this.tcp === undefined ? [] : this.tcp.sockets());
  }

  /** socket, bind, listen, accept, connect. */
  call(vcpu: Vcpu, p: Process, call: SocketCall, args: readonly unknown[]): number {
    const k = this.k;
    const tcp = this.net();
    if (tcp === undefined) return -Errno.ENETUNREACH;
    if (call === 'socket') {
      k.charge(vcpu, 'socketCreate');
      const socket = new Socket();
      socket.context = p.context;
      const fd = p.allocateFd({ kind: 'socket', socket });
      return fd < 0 ? -Errno.EMFILE : fd;
    }
    const fd = args[0] as number;
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    if (d.kind !== 'socket') return -Errno.ENOTSOCK;
    const s = d.socket;
    switch (call) {
      case 'bind': {
        k.charge(vcpu, 'bindBody');
        const port = args[1] as number;
        if (!Number.isInteger(port) || port < 0 || port > 65535 || (args[2] !== undefined && typeof args[2] !== 'string')) return -Errno.EINVAL;
        // Already bound (or listening, or connected).
        if (s.state !== 'new' || s.localPort !== 0) return -Errno.EINVAL;
        const local = this.#bindAddress(vcpu, p, args[2]);
        if (local === null) return -Errno.EADDRNOTAVAIL;
        return tcp.bind(s, port, local) ? 0 : -Errno.EADDRINUSE;
      }
      case 'listen': {
        k.charge(vcpu, 'listenBody');
        if (s.state === 'listening') return 0;
        if (s.state !== 'new') return -Errno.EINVAL;
        if (s.localPort === 0) {
          // listen on an unbound socket binds an ephemeral port, on the context's address.
          const local = this.#bindAddress(vcpu, p, undefined);
          if (local === null) return -Errno.EADDRNOTAVAIL;
          if (!tcp.bind(s, 0, local)) return -Errno.EADDRINUSE;
        }
        return tcp.listen(s) ? 0 : -Errno.EADDRINUSE;
      }
      case 'accept': {
        if (s.state !== 'listening') return -Errno.EINVAL;
        const conn = tcp.accept(s);
        if (conn === undefined) return this.#sleepOn(p, s, call, args);
        k.charge(vcpu, 'acceptBody');
        const nfd = p.allocateFd({ kind: 'socket', socket: conn });
        return nfd < 0 ? -Errno.EMFILE : nfd;
      }
      case 'connect': {
        if (s.state === 'established') return s.remote === '' ? -Errno.EISCONN : 0;
        if (s.reset) return -Errno.ECONNREFUSED;
        if (s.state === 'new') {
          const requested = args[1];
          const port = args[2] as number;
          if (typeof requested !== 'string' || !Number.isInteger(port) || port <= 0 || port > 65535) return -Errno.EINVAL;
          const address = k.policy.connectAddress(vcpu, p, requested);
          if (s.localPort === 0) {
            // An implicit bind: an ephemeral port, and the context's address if it has one.
            const local = this.#bindAddress(vcpu, p, undefined);
            if (local === null) return -Errno.EADDRNOTAVAIL;
            tcp.bind(s, 0, local);
          }
          // A socket bound to loopback cannot reach another machine.
          if (s.localAddress === LOOPBACK_ADDRESS && !this.#isLocal(address)) return -Errno.ENETUNREACH;
          k.charge(vcpu, 'connectBody');
          tcp.connect(s, address, port);
        }
        return this.#sleepOn(p, s, call, args);
      }
    }
  }

  /** Blocks `p` on `socket` until it changes; the call is re-issued then. */
  #sleepOn(p: Process, socket: Socket, call: SyscallName, args: readonly unknown[]): number {
    this.k.scheduler.block(p, 'socket');
    socket.waiters.push(p.pid);
    this.k.scheduler.restartLater(p, { kind: 'syscall', call, args, restart: true });
    return 0;
  }

  /** read/write on a connected socket. */
  readWrite(vcpu: Vcpu, p: Process, s: Socket, call: 'read' | 'write', fd: number, bytes: number): number {
    const k = this.k;
    const tcp = this.tcp!;
    if (call === 'write') {
      if (s.reset || s.closing || s.state === 'closed') return -Errno.EPIPE;
      if (s.state !== 'established') return -Errno.ENOTCONN;
      k.charge(vcpu, 'socketSend');
      if (bytes === 0) return 0;
      if (s.sendSpace === 0) return this.#sleepOn(p, s, 'write', [fd, bytes]);
      // copy_from_user into skb pages of the send queue, then out as segments.
      const n = Math.min(bytes, s.sendSpace);
      if (!k.copyFromUser(vcpu, p, n)) return -Errno.EFAULT;
      if (!s.sendPages.append(vcpu, k, n, false)) return -Errno.ENOMEM;
      tcp.write(s, n);
      return n;
    }
    k.charge(vcpu, 'socketReceive');
    if (s.readable === 0) {
      if (s.peerClosed || s.reset || s.state === 'closed') return 0;
      if (s.state !== 'established' && s.state !== 'connecting') return -Errno.ENOTCONN;
      return this.#sleepOn(p, s, 'read', [fd, bytes]);
    }
    const n = tcp.read(s, bytes);
    s.receivePages.consume(k, n);
    return k.copyToUser(vcpu, p, n) ? n : -Errno.EFAULT;
  }
}
