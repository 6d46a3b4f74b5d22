/* Reveal boxes follow their tells through a video: a box drawn for the last second shows only
 * while the player is inside that tell's time range (give or take BOX_SLACK, as in
 * media_library/models/tell.py), not over someone's chest at 0:00.
 *
 * Without this file the page keeps its server-rendered state: only the boxes whose tell covers
 * the poster frame are shown. Media events do not bubble, so they are caught on the way down
 * (capture), which also covers players that htmx swaps in after an answer. */
(() => {
  "use strict";
  const BOX_SLACK = 0.25;

  const update = (player) => {
    const overlay = document.querySelector(`svg[data-player="${player.id}"]`);
    if (!overlay) return;
    // Until it first plays or seeks, the player shows its poster, taken at another moment.
    const onPoster = player.played.length === 0 && player.currentTime === 0;
    const now = onPoster ? Number(overlay.dataset.posterSeconds) : player.currentTime;
    overlay.querySelectorAll("[data-start]").forEach((box) => {
      const inside =
        now >= Number(box.dataset.start) - BOX_SLACK && now <= Number(box.dataset.end) + BOX_SLACK;
      box.setAttribute("visibility", inside ? "visible" : "hidden");
    });
  };

  for (const type of ["loadedmetadata", "timeupdate", "seeked", "play"]) {
    document.addEventListener(
      type,
      (event) => {
        if (event.target instanceof HTMLVideoElement && event.target.id) update(event.target);
      },
      true,
    );
  }
})();
