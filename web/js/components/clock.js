// What a view redraws every second (countdowns): `update` runs now and then once a second
// until the returned function is called.

const TICK_MS = 1000;

export function ticking(update) {
  update();
  const timer = setInterval(update, TICK_MS);
  return () => clearInterval(timer);
}
