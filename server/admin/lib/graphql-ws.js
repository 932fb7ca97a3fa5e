// A client for graphql-transport-ws, the websocket protocol of GraphQL subscriptions.
//
// One socket carries every subscription of the page. It opens on the first subscription,
// authenticates in `connection_init` (browsers cannot set headers on a websocket), and comes
// back by itself after a network drop, subscribing again to what was live: a jobProgress
// subscription starts with the job's state now, so nothing is missed, and `onReconnected`
// lets the page refresh what a dropped socket could not tell it.

import { fromGraphQLError } from "./errors.js";

const PROTOCOL = "graphql-transport-ws";
const PING_EVERY_MS = 25_000; // below the idle timeouts of the usual proxies
const MAX_BACKOFF_MS = 30_000;
// The server closes with these when the session ends (4401: signed out, expired) or when it
// refuses the connection_init or the user's access changed (4403).
const REFUSED = new Set([4401, 4403]);

export class LiveConnection {
  #operations = new Map(); // id -> {query, variables, sink}; sent again on each reconnect
  #nextId = 1;
  #socket = null;
  #acknowledged = false;
  #attempts = 0;
  #pinger = null;
  #reconnectTimer = null;

  // connectionParams() is read at each connection, so a new token is used after sign-in.
  constructor({ url, connectionParams, onStatus = () => {}, onRefused = () => {}, onReconnected = () => {} }) {
    this.url = url;
    this.connectionParams = connectionParams;
    this.onStatus = onStatus;
    this.onRefused = onRefused;
    this.onReconnected = onReconnected;
  }

  // sink: {next(data), error(ApiError), complete()}; returns a function that unsubscribes.
  subscribe(query, variables, sink) {
    const id = String(this.#nextId++);
    this.#operations.set(id, { query, variables, sink });
    if (this.#acknowledged) this.#sendSubscribe(id);
    else if (!this.#socket && !this.#reconnectTimer) this.#connect();
    return () => {
      if (this.#operations.delete(id) && this.#acknowledged) this.#send({ id, type: "complete" });
    };
  }

  close() {
    this.#operations.clear();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#stop(this.#socket, 1000);
    this.onStatus("closed");
  }

  #connect() {
    this.#reconnectTimer = null;
    this.onStatus(this.#attempts ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url, PROTOCOL);
    this.#socket = socket;
    socket.addEventListener("open", () => {
      this.#send({ type: "connection_init", payload: this.connectionParams() });
    });
    socket.addEventListener("message", (event) => this.#receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.#closed(socket, event.code));
  }

  #receive(message) {
    const operation = this.#operations.get(message.id);
    switch (message.type) {
      case "connection_ack":
        this.#acknowledged = true;
        this.#pinger = setInterval(() => this.#send({ type: "ping" }), PING_EVERY_MS);
        this.onStatus("live");
        for (const id of this.#operations.keys()) this.#sendSubscribe(id);
        if (this.#attempts > 0) this.onReconnected();
        this.#attempts = 0;
        break;
      case "ping":
        this.#send({ type: "pong" });
        break;
      case "next":
        if (operation) this.#deliverNext(operation.sink, message.payload);
        break;
      case "error": {
        // A refused operation: its list of GraphQL errors.
        this.#operations.delete(message.id);
        const [first] = message.payload ?? [];
        operation?.sink.error?.(fromGraphQLError(first));
        break;
      }
      case "complete":
        this.#operations.delete(message.id);
        operation?.sink.complete?.();
        break;
      default: // pong, and anything a later protocol version adds
    }
  }

  // A result may carry errors (an event the server could not resolve) as well as data.
  #deliverNext(sink, payload) {
    const [first] = payload.errors ?? [];
    if (first) sink.error?.(fromGraphQLError(first));
    else sink.next(payload.data);
  }

  #closed(socket, code) {
    if (socket !== this.#socket) return; // an old socket, already replaced or stopped
    this.#stop(socket);
    if (REFUSED.has(code)) {
      this.#operations.clear();
      this.onStatus("closed");
      this.onRefused(code);
      return;
    }
    if (this.#operations.size === 0) {
      this.onStatus("closed");
      return;
    }
    // Backoff with jitter, so many tabs do not all come back in the same second.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.#attempts) * (0.5 + Math.random() / 2);
    this.#attempts += 1;
    this.onStatus("reconnecting");
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #stop(socket, code) {
    clearInterval(this.#pinger);
    this.#pinger = null;
    this.#acknowledged = false;
    if (socket === this.#socket) this.#socket = null;
    if (socket && code && socket.readyState <= WebSocket.OPEN) socket.close(code);
  }

  #sendSubscribe(id) {
    const { query, variables } = this.#operations.get(id);
    this.#send({ id, type: "subscribe", payload: { query, variables } });
  }

  #send(message) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }
}
