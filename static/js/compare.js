/* The reveal's comparison of a fake with the original it was made from (templates/quiz/item.html).
 *
 * Where the clip's card is wide, CSS sets the two side by side; where it is narrow (a phone), it
 * shows one at a time and the "The fake" / "The original" buttons here choose which. Two videos
 * are kept together: playing, pausing or seeking one does the same to the other, so the same
 * moment is always on both. Without this file both show, one under the other.
 *
 * htmx swaps the reveal in after each answer, so handlers are delegated from the document; media
 * events do not bubble, so those are caught on the way down (capture). */
(() => {
  "use strict";

  const TOLERANCE = 0.05; // seconds: closer than this counts as the same moment

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-compare-show]");
    if (!button) return;
    const card = button.closest(".revealed-clip");
    const compare = card && card.querySelector("[data-compare]");
    if (!compare) return;
    compare.dataset.showing = button.dataset.compareShow;
    card.querySelectorAll("[data-compare-show]").forEach((other) => {
      other.setAttribute("aria-pressed", String(other === button));
    });
  });

  // Move `video` to `time`, marked as our doing (see "seeked").
  const follow = (video, time) => {
    video.dataset.following = String(time);
    video.currentTime = time;
  };

  const partner = (video) => {
    if (!(video instanceof HTMLVideoElement)) return null;
    const compare = video.closest("[data-compare].has-original");
    if (!compare) return null;
    const videos = compare.querySelectorAll("video");
    if (videos.length !== 2) return null;
    return videos[0] === video ? videos[1] : videos[0];
  };

  document.addEventListener(
    "play",
    (event) => {
      const other = partner(event.target);
      if (other && other.paused) {
        follow(other, event.target.currentTime);
        // Refused without a user gesture on some browsers; the seek sync still holds.
        other.play().catch(() => {});
      }
    },
    true,
  );

  document.addEventListener(
    "pause",
    (event) => {
      const other = partner(event.target);
      if (other && !other.paused) other.pause();
    },
    true,
  );

  document.addEventListener(
    "seeked",
    (event) => {
      const video = event.target;
      const other = partner(video);
      if (!other) return;
      // A seek this file made answers nothing back, or the two would chase each other. The
      // mark names the moment it was sent to, so a mark left over (a seek that never ended)
      // cannot swallow the next seek someone makes to another moment.
      const sentTo = video.dataset.following;
      delete video.dataset.following;
      if (sentTo !== undefined && Math.abs(Number(sentTo) - video.currentTime) < TOLERANCE) return;
      if (Math.abs(other.currentTime - video.currentTime) > TOLERANCE) {
        follow(other, video.currentTime);
      }
    },
    true,
  );
})();
