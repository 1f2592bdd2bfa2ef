// A websocket that reconnects by itself with backoff and resyncs on a gap in `seq`.
// new LiveChannel(path, {onSnapshot(msg), onEvent(msg), onStatus(connected: bool)})
export class LiveChannel {
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.seq = null;
    this.backoff = 500;
    this.socket = null;
    this.closed = false;
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  connect() {
    if (this.closed) return;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => { this.backoff = 500; this.handlers.onStatus?.(true); };
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = () => {
      this.handlers.onStatus?.(false);
      if (this.closed) return;
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10000);
    };
    socket.onerror = () => socket.close();
  }

  receive(message) {
    if (message.type === "ping") { this.send({ type: "pong" }); return; }
    if (message.type === "snapshot") {
      this.seq = message.seq;
      this.handlers.onSnapshot?.(message);
      return;
    }
    if (typeof message.seq === "number" && this.seq !== null && message.seq !== this.seq + 1) {
      if (message.seq <= this.seq) return; // already seen
      this.socket.close(); // a gap: reconnect for a fresh snapshot
      return;
    }
    if (typeof message.seq === "number") this.seq = message.seq;
    this.handlers.onEvent?.(message);
  }

  send(payload) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(payload));
  }

  close() { this.closed = true; this.socket?.close(); }
}

// Show a discreet "connection lost" mark after `delayMs` without a connection.
export function connectionMark(element, delayMs = 5000) {
  let timer = null;
  return (connected) => {
    clearTimeout(timer);
    if (connected) { element.classList.remove("shown"); return; }
    timer = setTimeout(() => element.classList.add("shown"), delayMs);
  };
}
