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
  // A refused judgement (too many too fast: 429; a post already passed over: 400) is not
  // swapped in by htmx: say why inside the post, where the learner is looking.
  document.addEventListener("htmx:responseError", (event) => {
    const form = event.detail.elt.closest(".feed-post form");
    if (!form) return;
    let note = form.querySelector(".post-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "form-error post-error";
      note.setAttribute("role", "alert");
      form.append(note);
    }
    note.textContent = event.detail.xhr.responseText;
  });
  // The reveals already on the page when it loads are not news.
  document.querySelectorAll("[data-post-result]").forEach((h) => { h.dataset.announced = ""; });
})();
