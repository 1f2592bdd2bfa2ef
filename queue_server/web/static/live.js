// A websocket that reconnects by itself with backoff and resyncs on a gap in `seq`.
// new LiveChannel(path, {onSnapshot(msg), onEvent(msg), onStatus(connected: bool), onError?(msg),
//                        replay?: false})
// On reconnect it asks for what it missed (`?since=SEQ`): the server sends the missed events
// (marked `replayed: true`) or, when too far behind, a fresh snapshot. `replay: false` always
// asks for a snapshot. The server pings every 10 s; silence for 30 s means the link is dead.
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);
const SILENCE_MS = 30000;
const MAX_BACKOFF_MS = 5000;

export class LiveChannel {
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.seq = null;
    this.backoff = 500;
    this.socket = null;
    this.closed = false;
    this.connected = null; // unknown: the first failure counts as a change
    this.lastHeard = Date.now();
    this.watchdog = setInterval(() => this.checkSilence(), 5000);
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = new URL(`${scheme}//${location.host}${this.path}`);
    if (this.seq !== null && this.handlers.replay !== false) url.searchParams.set("since", this.seq);
    return url.toString();
  }

  connect() {
    if (this.closed) return;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.backoff = 500;
      this.lastHeard = Date.now();
      this.setConnected(true);
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.lastHeard = Date.now();
      this.receive(JSON.parse(message.data));
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.setConnected(false);
      if (FINAL_CLOSE_CODES.has(event.code)) this.closed = true;
      if (this.closed) return;
      const delay = this.backoff * (0.75 + Math.random() * 0.5);
      setTimeout(() => this.connect(), delay);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    };
    socket.onerror = () => socket.close();
  }

  setConnected(connected) {
    if (this.connected === connected) return;
    this.connected = connected;
    this.handlers.onStatus?.(connected);
  }

  checkSilence() {
    if (this.socket?.readyState === WebSocket.OPEN && Date.now() - this.lastHeard > SILENCE_MS) {
      this.resync();
    }
  }

  // Drop this connection and make a new one that asks for what was missed.
  resync() { this.socket?.close(); }

  receive(message) {
    if (message.type === "ping") {
      this.send({ type: "pong" });
      if (typeof message.seq === "number" && this.seq !== null && message.seq > this.seq) this.resync();
      return;
    }
    if (message.type === "error") { this.handlers.onError?.(message); return; }
    if (message.type === "snapshot") {
      this.seq = message.seq;
      this.handlers.onSnapshot?.(message);
      return;
    }
    if (typeof message.seq === "number" && this.seq !== null && message.seq !== this.seq + 1) {
      if (message.seq <= this.seq) return; // already seen
      this.resync(); // a gap: reconnect for what is missing
      return;
    }
    if (typeof message.seq === "number") this.seq = message.seq;
    this.handlers.onEvent?.(message);
  }

  send(payload) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(payload));
  }

  close() {
    this.closed = true;
    clearInterval(this.watchdog);
    this.socket?.close();
  }
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
