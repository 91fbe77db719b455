import type { NetFrame } from '@visorkit/core';
import { StreamPages } from '../mm/stream-pages.js';

/** Bytes of Ethernet, IPv4 and TCP headers on every segment. */
export const HEADER_BYTES = 54;
/** Bytes a socket buffers in each direction (Linux 2.6's default tcp_wmem/tcp_rmem order). */
export const SOCKET_BUFFER = 65536;
/** Connections a listening socket queues before accept (somaxconn). */
export const ACCEPT_BACKLOG = 128;
/** The wildcard local address (INADDR_ANY): a socket bound to it is reached at any of the kernel's addresses. */
export const ANY_ADDRESS = '0.0.0.0';
/** The loopback address: always local, whatever addresses the kernel owns. */
export const LOOPBACK_ADDRESS = '127.0.0.1';
/** Retransmission timeout: Linux's floor, 200 ms. */
const RTO_NS = 200e6;
/** Delayed acknowledgement: Linux acknowledges every second segment or after 40 ms. */
const DELAYED_ACK_NS = 40e6;

const SYN = 1;
const ACK = 2;
const FIN = 4;
const RST = 8;

/** The transport header a frame carries (what `NetFrame.data` holds for TCP). */
export interface Segment {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly len: number;
  readonly flags: number;
  /** Receive window the sender advertises, in bytes. */
  readonly wnd: number;
}

/** What the stack needs from the kernel it runs in. */
export interface TcpHost {
  /** This kernel's primary IPv4-like address (the source of connections to other machines). */
  readonly address: string;
  /** True when `address` is this kernel's own (one of its addresses, or loopback): traffic to it never leaves. */
  isLocal(address: string): boolean;
  /** Puts a frame on the interface owning its source address, or loops it back (called on a vCPU). */
  transmit(frame: NetFrame): void;
  /** Charges a stack path (`'tcpOutput'`, `'tcpInput'`, `'tcpAck'`) once. */
  cost(path: 'tcpOutput' | 'tcpInput' | 'tcpAck'): void;
  /** Wakes the processes waiting on `socket`. */
  wake(socket: Socket): void;
  /** Runs `fn` after `delayNs` (a kernel timer); `fn` runs later on a vCPU. */
  timer(delayNs: number, fn: () => void): void;
  /**
   * `len` bytes of in-order payload arrived for `socket` and are to be queued: the kernel
   * puts them in the socket's receive buffer ({@link Socket.receivePages}). False — no memory
   * for them — drops the segment (the peer sends it again). Absent: always queued.
   */
  received?(socket: Socket, len: number): boolean;
  /** `socket`'s data is acknowledged up to `sndUna`: what the send buffer held of it can go. */
  acknowledged?(socket: Socket): void;
  /** `socket` is done with (forgotten, or reset): both its buffers go. */
  released?(socket: Socket): void;
}

/** One TCP endpoint. Sequence numbers count payload bytes only (SYN and FIN take none). */
export class Socket {
  state: 'new' | 'listening' | 'connecting' | 'established' | 'closed' = 'new';
  /** The local address: `''` while bound to any (a wildcard listener), else one of the kernel's addresses. */
  localAddress = '';
  localPort = 0;
  remote = '';
  remotePort = 0;
  /** Listening: established connections not yet accepted. */
  readonly backlog: Socket[] = [];
  /** Processes blocked on this socket, by pid. */
  readonly waiters: number[] = [];
  /** Send side: acknowledged, sent, and written-by-the-application byte counts. */
  sndUna = 0;
  sndNxt = 0;
  sndEnd = 0;
  /** The peer's advertised window. */
  peerWindow = SOCKET_BUFFER;
  /** Receive side: next expected byte, and bytes the application has read. */
  rcvNxt = 0;
  rcvRead = 0;
  /** Segments received since the last acknowledgement we sent. */
  unacked = 0;
  delayedAck = false;
  rtoArmed = false;
  /** The peer closed its side (reads return 0 once drained). */
  peerClosed = false;
  /** The application closed: a FIN follows the data. */
  closing = false;
  finSent = false;
  /** The connection was refused or reset. */
  reset = false;
  /** Descriptors referring to it (fork shares them); closed when the last goes. */
  refs = 1;
  /** The container context that owns it (its creator's; an accepted connection's is its listener's). */
  context = 0;
  /** The guest frames under the data written and not yet acknowledged (from `sndUna` to `sndEnd`). */
  readonly sendPages = new StreamPages(SOCKET_BUFFER);
  /** The guest frames under the data received and not yet read (from `rcvRead` to `rcvNxt`). */
  readonly receivePages = new StreamPages(SOCKET_BUFFER);

  /** Bytes waiting to be read. */
  get readable(): number {
    return this.rcvNxt - this.rcvRead;
  }

  /** Room in the send buffer. */
  get sendSpace(): number {
    return SOCKET_BUFFER - (this.sndEnd - this.sndUna);
  }

  /** Ready for a read (or accept) without blocking. */
  get readReady(): boolean {
    return this.readable > 0 || this.peerClosed || this.reset || (this.state === 'listening' && this.backlog.length > 0);
  }
}

/**
 * A TCP-like transport for the guest kernel: connections with a three-way-style handshake,
 * byte streams cut into MSS-sized segments, cumulative acknowledgements (every second
 * segment, or after 40 ms), the receiver's advertised window limiting what is in flight,
 * go-back-N retransmission after a 200 ms timeout, and FIN on close. No congestion control:
 * flows are window-limited, which is what LAN bulk transfers of the era were.
 */
export class TcpStack {
  /** Listening sockets by port, then by local address (`''`: the wildcard). */
  readonly #listeners = new Map<number, Map<string, Socket>>();
  readonly #connections = new Map<string, Socket>();
  /**
   * The same connections by their two ports (see {@link portsKey}), so that an arriving
   * segment finds its socket without building the string key: a few sockets per bucket at most.
   */
  readonly #byPorts = new Map<number, Connection[]>();
  #nextPort = 32768;
  /** Segments and frames dropped for want of a socket or in-order position. */
  dropped = 0;

  constructor(
    readonly host: TcpHost,
    /** Link MTU: the largest IP packet; MSS is the MTU less 40 bytes of IP and TCP headers. */
    readonly mtu: number,
  ) {}

  /** True while any socket listens or is connected (state a checkpoint does not carry). */
  get busy(): boolean {
    return this.#listeners.size > 0 || this.#connections.size > 0;
  }

  get mss(): number {
    return this.mtu - 40;
  }

  /**
   * Binds `socket` to `port` (0: an ephemeral one) on `address` (`''`: any of the kernel's
   * addresses); false when a listener already holds that address and port — or, for the
   * wildcard, any address on that port, and for a specific address, the port's wildcard.
   */
  bind(socket: Socket, port: number, address = ''): boolean {
    let p = port;
    if (port === 0) {
      // Ephemeral ports cycle through Linux's default range.
      p = this.#nextPort;
      this.#nextPort = this.#nextPort >= 60999 ? 32768 : this.#nextPort + 1;
    }
    if (this.#taken(address, p)) return false;
    socket.localPort = p;
    socket.localAddress = address;
    return true;
  }

  /** A listener holds `port` on `address`, or the two overlap through a wildcard. */
  #taken(address: string, port: number): boolean {
    const byAddress = this.#listeners.get(port);
    if (byAddress === undefined) return false;
    return address === '' ? byAddress.size > 0 : byAddress.has(address) || byAddress.has('');
  }

  /** The listener a connection to `address`:`port` reaches: the exact address first, then the wildcard. */
  #listenerFor(address: string, port: number): Socket | undefined {
    const byAddress = this.#listeners.get(port);
    if (byAddress === undefined) return undefined;
    return byAddress.get(address) ?? byAddress.get('');
  }

  listen(socket: Socket): boolean {
    if (socket.localPort === 0 && !this.bind(socket, 0, socket.localAddress)) return false;
    if (this.#taken(socket.localAddress, socket.localPort)) return false;
    socket.state = 'listening';
    let byAddress = this.#listeners.get(socket.localPort);
    if (byAddress === undefined) this.#listeners.set(socket.localPort, (byAddress = new Map()));
    byAddress.set(socket.localAddress, socket);
    return true;
  }

  /**
   * Starts connecting (sends the SYN); the caller sleeps until the state changes. An unbound
   * socket gets an ephemeral port; one bound to any address takes the route's source: the
   * destination itself when it is local (loopback), the primary address otherwise.
   */
  connect(socket: Socket, address: string, port: number): void {
    if (socket.localPort === 0) this.bind(socket, 0, socket.localAddress);
    if (socket.localAddress === '') socket.localAddress = this.host.isLocal(address) ? address : this.host.address;
    socket.remote = address;
    socket.remotePort = port;
    socket.state = 'connecting';
    this.#connect(socket);
    this.#send(socket, SYN, 0, 0);
  }

  /** Takes an established connection off a listener's queue. */
  accept(listener: Socket): Socket | undefined {
    return listener.backlog.shift();
  }

  /** Appends `bytes` of application data (as much as fits); returns the bytes taken. */
  write(socket: Socket, bytes: number): number {
    const n = Math.min(bytes, socket.sendSpace);
    socket.sndEnd += n;
    this.output(socket);
    return n;
  }

  /** Consumes up to `bytes` of received data; returns the bytes read. */
  read(socket: Socket, bytes: number): number {
    const before = this.#window(socket);
    const n = Math.min(bytes, socket.readable);
    socket.rcvRead += n;
    // Reading reopened a window that had closed: tell the sender (a window update).
    if (before < this.mss && this.#window(socket) >= this.mss) this.#sendAck(socket);
    return n;
  }

  /** The application closed the socket: FIN after the data; a listener stops listening. */
  close(socket: Socket): void {
    if (socket.state === 'listening') {
      const byAddress = this.#listeners.get(socket.localPort);
      byAddress?.delete(socket.localAddress);
      if (byAddress?.size === 0) this.#listeners.delete(socket.localPort);
      socket.state = 'closed';
      return;
    }
    socket.closing = true;
    this.output(socket);
    this.#maybeRelease(socket);
  }

  /** Both sides have closed and our data is acknowledged: forget the connection (no TIME_WAIT). */
  #maybeRelease(socket: Socket): void {
    if (socket.closing && socket.finSent && (socket.peerClosed || socket.reset) && socket.sndUna >= socket.sndNxt) {
      socket.state = 'closed';
      this.release(socket);
    }
  }

  /** Sends what the window allows (and the FIN once the data is out). */
  output(socket: Socket): void {
    if (socket.state !== 'established') return;
    const limit = socket.sndUna + Math.min(socket.peerWindow, SOCKET_BUFFER);
    while (socket.sndNxt < socket.sndEnd && socket.sndNxt < limit) {
      const len = Math.min(this.mss, socket.sndEnd - socket.sndNxt, limit - socket.sndNxt);
      this.#send(socket, ACK, socket.sndNxt, len);
      socket.sndNxt += len;
      socket.unacked = 0;
    }
    if (socket.closing && !socket.finSent && socket.sndNxt === socket.sndEnd) {
      socket.finSent = true;
      this.#send(socket, FIN | ACK, socket.sndNxt, 0);
    }
  }

  /** Processes one arrived frame (the kernel calls this on a vCPU, in its softirq). */
  input(frame: NetFrame): void {
    const s = frame.data as Segment | undefined;
    if (s === undefined || typeof s.dport !== 'number') {
      this.dropped++;
      return;
    }
    const socket = this.#find(frame.source, s.sport, frame.destination, s.dport);
    if (socket === undefined) {
      this.host.cost('tcpInput');
      const listener = this.#listenerFor(frame.destination, s.dport);
      if (listener !== undefined && (s.flags & SYN) !== 0 && listener.backlog.length < ACCEPT_BACKLOG) {
        const child = new Socket();
        child.localAddress = frame.destination;
        child.localPort = s.dport;
        child.remote = frame.source;
        child.remotePort = s.sport;
        child.state = 'established';
        child.peerWindow = s.wnd;
        child.context = listener.context;
        this.#connect(child);
        this.#send(child, SYN | ACK, 0, 0);
        listener.backlog.push(child);
        this.host.wake(listener);
      } else {
        this.dropped++;
        if ((s.flags & RST) === 0) this.#reply(frame.destination, frame.source, s, RST);
      }
      return;
    }
    this.host.cost(s.len > 0 ? 'tcpInput' : 'tcpAck');
    if ((s.flags & RST) !== 0) {
      socket.reset = true;
      socket.state = 'closed';
      this.host.released?.(socket);
      this.host.wake(socket);
      return;
    }
    if ((s.flags & SYN) !== 0 && (s.flags & ACK) === 0 && socket.state === 'established') {
      // The peer did not hear our SYN-ACK and asked again.
      this.#send(socket, SYN | ACK, 0, 0);
      return;
    }
    if (socket.state === 'connecting') {
      if ((s.flags & (SYN | ACK)) === (SYN | ACK)) {
        socket.state = 'established';
        socket.peerWindow = s.wnd;
        this.#sendAck(socket);
        this.host.wake(socket);
      }
      return;
    }
    if ((s.flags & ACK) !== 0 && s.ack > socket.sndUna && s.ack <= socket.sndNxt) {
      socket.sndUna = s.ack;
      this.host.acknowledged?.(socket);
      this.host.wake(socket);
    }
    socket.peerWindow = s.wnd;
    if (s.len > 0) {
      if (s.seq === socket.rcvNxt && s.len <= this.#window(socket) && (this.host.received?.(socket, s.len) ?? true)) {
        socket.rcvNxt += s.len;
        this.host.wake(socket);
        if (++socket.unacked >= 2) this.#sendAck(socket);
        else this.#armDelayedAck(socket);
      } else {
        // Out of order, beyond the window or no memory to queue it: drop it and repeat our position at once.
        this.dropped++;
        this.#sendAck(socket);
      }
    }
    if ((s.flags & FIN) !== 0 && s.seq + s.len === socket.rcvNxt && !socket.peerClosed) {
      socket.peerClosed = true;
      this.#sendAck(socket);
      this.host.wake(socket);
    }
    this.output(socket);
    this.#maybeRelease(socket);
  }

  #window(socket: Socket): number {
    return SOCKET_BUFFER - socket.readable;
  }

  #sendAck(socket: Socket): void {
    socket.unacked = 0;
    this.#send(socket, ACK, socket.sndNxt, 0);
  }

  #armDelayedAck(socket: Socket): void {
    if (socket.delayedAck) return;
    socket.delayedAck = true;
    this.host.timer(DELAYED_ACK_NS, () => {
      socket.delayedAck = false;
      if (socket.unacked > 0 && socket.state === 'established') this.#sendAck(socket);
    });
  }

  #armRetransmit(socket: Socket): void {
    if (socket.rtoArmed) return;
    socket.rtoArmed = true;
    const una = socket.sndUna;
    this.host.timer(RTO_NS, () => {
      socket.rtoArmed = false;
      if (socket.state !== 'established' || socket.sndUna >= socket.sndNxt) return;
      // No progress for a whole timeout: go back to the first unacknowledged byte.
      if (socket.sndUna === una) socket.sndNxt = socket.sndUna;
      this.output(socket);
      if (socket.sndUna < socket.sndNxt) this.#armRetransmit(socket);
    });
  }

  #send(socket: Socket, flags: number, seq: number, len: number): void {
    this.host.cost(len > 0 || (flags & SYN) !== 0 ? 'tcpOutput' : 'tcpAck');
    const segment: Segment = { sport: socket.localPort, dport: socket.remotePort, seq, ack: socket.rcvNxt, len, flags, wnd: this.#window(socket) };
    this.host.transmit({ source: socket.localAddress, destination: socket.remote, bytes: len + HEADER_BYTES, data: segment });
    if (len > 0) this.#armRetransmit(socket);
    if (flags === SYN) {
      // An unanswered SYN is sent again after a timeout.
      this.host.timer(RTO_NS * 5, () => {
        if (socket.state === 'connecting') this.#send(socket, SYN, 0, 0);
      });
    }
  }

  #reply(from: string, to: string, s: Segment, flags: number): void {
    const segment: Segment = { sport: s.dport, dport: s.sport, seq: s.ack, ack: s.seq + s.len, len: 0, flags, wnd: 0 };
    this.host.cost('tcpAck');
    this.host.transmit({ source: from, destination: to, bytes: HEADER_BYTES, data: segment });
  }

  /** Enters a connection under its ends (replacing one with the same ends, as the string-keyed table does). */
  #connect(socket: Socket): void {
    this.#connections.set(key(socket.remote, socket.remotePort, socket.localAddress, socket.localPort), socket);
    const k = portsKey(socket.remotePort, socket.localPort);
    let bucket = this.#byPorts.get(k);
    if (bucket === undefined) {
      bucket = [];
      this.#byPorts.set(k, bucket);
    }
    const i = bucket.findIndex((c) => sameEnds(c, socket.remote, socket.remotePort, socket.localAddress, socket.localPort));
    const entry: Connection = { remote: socket.remote, remotePort: socket.remotePort, local: socket.localAddress, localPort: socket.localPort, socket };
    if (i >= 0) bucket[i] = entry;
    else bucket.push(entry);
  }

  /** The connection with these ends, if any. */
  #find(remote: string, remotePort: number, local: string, localPort: number): Socket | undefined {
    const bucket = this.#byPorts.get(portsKey(remotePort, localPort));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) if (sameEnds(bucket[i]!, remote, remotePort, local, localPort)) return bucket[i]!.socket;
    return undefined;
  }

  /** Forgets a closed connection. */
  release(socket: Socket): void {
    this.#connections.delete(key(socket.remote, socket.remotePort, socket.localAddress, socket.localPort));
    const bucket = this.#byPorts.get(portsKey(socket.remotePort, socket.localPort));
    const i = bucket === undefined ? -1 : bucket.findIndex((c) => sameEnds(c, socket.remote, socket.remotePort, socket.localAddress, socket.localPort));
    if (i >= 0) {
      bucket!.splice(i, 1);
      if (bucket!.length === 0) this.#byPorts.delete(portsKey(socket.remotePort, socket.localPort));
    }
    this.host.released?.(socket);
  }

  /** Every socket in the stack's tables — listeners and connections (what /proc/net/tcp lists). */
  *sockets(): IterableIterator<Socket> {
    for (const byAddress of this.#listeners.values()) yield* byAddress.values();
    yield* this.#connections.values();
  }
}

/** A small-integer bucket of two ports (the remote's low 14 bits beside the local's 16); sockets in it are told apart by {@link sameEnds}. */
function portsKey(remotePort: number, localPort: number): number {
  return ((remotePort & 0x3fff) << 16) | (localPort & 0xffff);
}

/** A connection entered under the ends its socket had then (as its string key records them). */
interface Connection {
  readonly remote: string;
  readonly remotePort: number;
  readonly local: string;
  readonly localPort: number;
  readonly socket: Socket;
}

/** True when `c` is the connection between these ends (ports equal as their string keys are: NaN is NaN). */
function sameEnds(c: Connection, remote: string, remotePort: number, local: string, localPort: number): boolean {
  return samePort(c.remotePort, remotePort) && samePort(c.localPort, localPort) && c.remote === remote && c.local === local;
}

function samePort(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/** A connection's key: remote address and port, local address and port. */
function key(remote: string, remotePort: number, local: string, localPort: number): string {
  return `${remote}:${remotePort}>${local}:${localPort}`;
}
