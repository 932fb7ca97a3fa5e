// What one part of the page tells the others: "backups changed", "open the restore panel".
// Parts stay independent of each other; each listens for what concerns it.

const bus = new EventTarget();

export function emit(name, detail = null) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

export function on(name, listener) {
  bus.addEventListener(name, (event) => listener(event.detail));
}
