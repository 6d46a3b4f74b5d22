/* A feed: once a judged post has turned into its reveal (htmx swaps that post alone), move
 * focus to the reveal's heading, as a page load would, so keyboard and screen reader users
 * hear the result where they are. Without this file the forms post and the item page shows
 * the reveal. */
(() => {
  "use strict";
  document.addEventListener("htmx:afterSettle", () => {
    const heading = document.querySelector("[data-post-result]:not([data-announced])");
    if (!heading) return;
    heading.dataset.announced = "";
    heading.focus();
  });
  // The reveals already on the page when it loads are not news.
  document.querySelectorAll("[data-post-result]").forEach((h) => { h.dataset.announced = ""; });
})();
