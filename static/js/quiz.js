/* The quiz page: a live readout of the confidence slider, pointing at the frame for "spot the
 * tell" items, copying the player's time into the time field, and reveal links that seek the
 * player to a tell.
 *
 * Everything works without this file (radio regions, typed seconds, links that open the clip at
 * the tell's time). htmx swaps the whole #stage after each answer, so handlers are delegated
 * from the document and look elements up when they run. */
(() => {
  "use strict";
  document.documentElement.classList.add("js");

  const clamp01 = (value) => Math.min(1, Math.max(0, value));
  const GRID = 3;

  document.addEventListener("input", (event) => {
    const slider = event.target.closest("input[name=confidence]");
    if (!slider) return;
    const output = slider.form.querySelector(`output[for="${slider.id}"]`);
    // The page gives the language's pattern as 0 written as a percentage ("0 %", "0%"):
    // the sign's place is the language's (languages/numbers.py).
    if (output) output.textContent = (output.dataset.percentPattern || "0 %").replace("0", slider.value);
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-point-toggle]");
    if (toggle) {
      const wrap = toggle.closest(".quiz-clip").querySelector("[data-spot-frame]");
      const pointing = wrap.classList.toggle("pointing");
      toggle.setAttribute("aria-pressed", String(pointing));
      return;
    }

    const frame = event.target.closest("[data-spot-frame]");
    if (frame && (frame.classList.contains("pointing") || !frame.querySelector("video"))) {
      const media = frame.querySelector("video, img");
      const rect = media.getBoundingClientRect();
      const x = clamp01((event.clientX - rect.left) / rect.width);
      const y = clamp01((event.clientY - rect.top) / rect.height);
      const form = document.querySelector(".answer-form");
      form.querySelector("[name=x]").value = x.toFixed(4);
      form.querySelector("[name=y]").value = y.toFixed(4);
      const cell = Math.min(GRID - 1, Math.floor(y * GRID)) * GRID + Math.min(GRID - 1, Math.floor(x * GRID));
      const radio = form.querySelector(`[name=cell][value="${cell}"]`);
      if (radio) radio.checked = true;
      const marker = frame.querySelector(".overlay-you");
      marker.setAttribute("cx", x.toFixed(4));
      marker.setAttribute("cy", y.toFixed(4));
      return;
    }

    const mark = event.target.closest("[data-mark-time]");
    if (mark) {
      const player = document.getElementById(mark.dataset.player);
      const field = document.getElementById(mark.dataset.markTime);
      if (player && field) field.value = player.currentTime.toFixed(1);
      return;
    }

    const seek = event.target.closest("[data-seek]");
    if (seek) {
      const player = document.getElementById(seek.dataset.player);
      if (!player) return;
      event.preventDefault();
      player.currentTime = Number(seek.dataset.seek);
      player.focus();
      player.scrollIntoView({ block: "nearest" });
    }
  });

  // A keyboard user picking a region drops any earlier click, so the two never disagree.
  document.addEventListener("change", (event) => {
    const radio = event.target.closest("[name=cell]");
    if (!radio || event.isTrusted === false) return;
    const form = radio.form;
    form.querySelector("[name=x]").value = "";
    form.querySelector("[name=y]").value = "";
    document.querySelectorAll(".spot-pick .overlay-you").forEach((marker) => {
      marker.setAttribute("cx", "-1");
      marker.setAttribute("cy", "-1");
    });
  });

  // After htmx swaps in the next step, move focus to its heading for keyboard and screen
  // reader users, as a page load would.
  document.addEventListener("htmx:afterSettle", () => {
    const heading = document.getElementById("stage-question");
    if (heading && !heading.contains(document.activeElement)) heading.focus();
  });
})();
