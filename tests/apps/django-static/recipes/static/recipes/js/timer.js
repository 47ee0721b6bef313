// Kitchen timer: counts down the minutes of a recipe.
export function startTimer(minutes, onDone) {
  return setTimeout(onDone, minutes * 60 * 1000);
}
