/* The tell editor on a clip's curator page: our own transport (play, scrubber over the thumbnail
 * strip, time readout), "Set start"/"Set end" buttons that copy the player's time into the tell
 * form, and a box drawn by dragging over the frame that fills the form's normalised box fields.
 *
 * Plain JavaScript loaded from a static file (our CSP forbids inline scripts). The page works
 * without it: the video keeps its native controls and the form takes typed numbers. htmx swaps
 * the tell form and list, so everything here looks elements up when it needs them. */
(() => {
  "use strict";

  const editor = document.getElementById("tell-editor");
  if (!editor) return;
  document.documentElement.classList.add("js");

  const BOX_FIELDS = ["box_x", "box_y", "box_w", "box_h"];
  const MIN_BOX = 0.01; // Smaller than 1 % of the frame is a click, not a box.
  const video = document.getElementById("clip-player");
  const overlay = document.getElementById("box-overlay");
  const drawnBox = overlay.querySelector(".box-drawn");
  const previewBox = overlay.querySelector(".box-preview");
  const scrubber = document.getElementById("scrubber");
  const readout = document.getElementById("time-readout");
  const playToggle = document.getElementById("play-toggle");
  const track = document.getElementById("scrubber-track");

  const field = (name) => document.querySelector(`#tell-form [name="${name}"]`);
  const clamp01 = (value) => Math.min(1, Math.max(0, value));
  const round = (value, digits) => Number(value.toFixed(digits));

  function formatTime(seconds) {
    const safe = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
    const minutes = Math.floor(safe / 60);
    return `${minutes}:${(safe - minutes * 60).toFixed(1).padStart(4, "0")}`;
  }

  function duration() {
    if (video && Number.isFinite(video.duration) && video.duration > 0) return video.duration;
    return Number(editor.dataset.duration) || 0;
  }

  /* ---- Transport ---- */

  function updateTransport() {
    if (!video) return;
    const total = duration();
    if (scrubber) {
      scrubber.max = total.toFixed(3);
      if (document.activeElement !== scrubber || video.paused) {
        scrubber.value = String(video.currentTime);
      }
    }
    if (readout) readout.textContent = `${formatTime(video.currentTime)} / ${formatTime(total)}`;
    if (playToggle) {
      playToggle.textContent = video.paused
        ? playToggle.dataset.labelPlay
        : playToggle.dataset.labelPause;
      playToggle.setAttribute("aria-pressed", String(!video.paused));
    }
  }

  function seek(seconds) {
    if (!video) return;
    video.currentTime = Math.min(Math.max(0, seconds), duration() || seconds);
    updateTransport();
  }

  function togglePlay() {
    if (!video) return;
    if (video.paused) {
      // A refused play() (autoplay rules, a detached element) is not an error worth reporting.
      video.play().catch(() => updateTransport());
    } else {
      video.pause();
    }
  }

  if (video) {
    // Our overlay sits on the video, so our own controls replace the native ones.
    video.controls = false;
    for (const type of ["loadedmetadata", "durationchange", "timeupdate", "seeked", "play", "pause", "ended"]) {
      video.addEventListener(type, updateTransport);
    }
    if (scrubber) scrubber.addEventListener("input", () => seek(Number(scrubber.value)));
    if (playToggle) playToggle.addEventListener("click", togglePlay);
    if (track && editor.dataset.stripUrl) {
      // Set through the CSSOM: CSP allows that, where a style attribute would be refused.
      track.style.backgroundImage = `url("${editor.dataset.stripUrl}")`;
      track.classList.add("has-strip");
    }
    updateTransport();
  }

  /* ---- Boxes ---- */

  function place(element, box) {
    if (!box) {
      element.hidden = true;
      return;
    }
    element.hidden = false;
    element.style.left = `${box.x * 100}%`;
    element.style.top = `${box.y * 100}%`;
    element.style.width = `${box.w * 100}%`;
    element.style.height = `${box.h * 100}%`;
  }

  function boxFromFields() {
    const inputs = BOX_FIELDS.map(field);
    if (inputs.some((input) => !input || input.value.trim() === "")) return null;
    const [x, y, w, h] = inputs.map((input) => Number(input.value));
    if ([x, y, w, h].some((n) => !Number.isFinite(n)) || w <= 0 || h <= 0) return null;
    return { x, y, w, h };
  }

  function writeBox(box) {
    const values = box ? boxToFields(box) : ["", "", "", ""];
    BOX_FIELDS.forEach((name, i) => {
      const input = field(name);
      if (input) input.value = values[i];
    });
    place(drawnBox, box);
  }

  function boxToFields(box) {
    const x = round(box.x, 4);
    const y = round(box.y, 4);
    // Rounding must never push the box past the frame's edge.
    const w = Math.min(round(box.w, 4), round(1 - x, 4));
    const h = Math.min(round(box.h, 4), round(1 - y, 4));
    return [x, y, w, h].map(String);
  }

  function syncBoxFromFields() {
    place(drawnBox, boxFromFields());
  }

  function pointIn(event) {
    const rect = overlay.getBoundingClientRect();
    return {
      x: clamp01((event.clientX - rect.left) / rect.width),
      y: clamp01((event.clientY - rect.top) / rect.height),
    };
  }

  function boxBetween(a, b) {
    return {
      x: Math.min(a.x, b.x),
      y: Math.min(a.y, b.y),
      w: Math.abs(a.x - b.x),
      h: Math.abs(a.y - b.y),
    };
  }

  let origin = null;
  overlay.hidden = false;

  overlay.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    overlay.setPointerCapture(event.pointerId);
    origin = pointIn(event);
    place(previewBox, null);
    place(drawnBox, { ...origin, w: 0, h: 0 });
    overlay.classList.add("drawing");
  });

  overlay.addEventListener("pointermove", (event) => {
    if (origin) place(drawnBox, boxBetween(origin, pointIn(event)));
  });

  overlay.addEventListener("pointerup", (event) => {
    if (!origin) return;
    const box = boxBetween(origin, pointIn(event));
    origin = null;
    overlay.classList.remove("drawing");
    if (box.w < MIN_BOX || box.h < MIN_BOX) {
      // A click on the frame plays or pauses, as a click on a video usually does.
      syncBoxFromFields();
      togglePlay();
      return;
    }
    writeBox(box);
  });

  overlay.addEventListener("pointercancel", () => {
    origin = null;
    overlay.classList.remove("drawing");
    syncBoxFromFields();
  });

  /* ---- Form buttons and the tell list (delegated: htmx replaces these elements) ---- */

  document.addEventListener("click", (event) => {
    const setter = event.target.closest("[data-set-time]");
    if (setter && video) {
      const input = field(setter.dataset.setTime === "start" ? "start_seconds" : "end_seconds");
      if (input) {
        input.value = String(round(video.currentTime, 2));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    if (event.target.closest("[data-clear-box]")) {
      writeBox(null);
      return;
    }
    // The detector's reasons carry the moment they speak of.
    const reason = event.target.closest("[data-seek]");
    if (reason && video) {
      event.preventDefault();
      seek(Number(reason.dataset.seek) || 0);
      video.pause();
      editor.scrollIntoView({ block: "nearest", behavior: "smooth" });
      return;
    }
    const tell = event.target.closest(".tell-seek");
    if (tell) {
      event.preventDefault();
      seek(Number(tell.dataset.start) || 0);
      if (video) video.pause();
      const box = tell.dataset.box ? tell.dataset.box.split(",").map(Number) : null;
      place(previewBox, box ? { x: box[0], y: box[1], w: box[2], h: box[3] } : null);
      editor.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  });

  document.addEventListener("input", (event) => {
    if (BOX_FIELDS.includes(event.target.name) && event.target.closest("#tell-form")) {
      syncBoxFromFields();
    }
  });

  let editingShown = "";
  document.body.addEventListener("htmx:afterSettle", () => {
    const form = document.getElementById("tell-form");
    syncBoxFromFields();
    // Opening a tell for editing shows its moment in the player, once.
    const editing = (form && form.dataset.editing) || "";
    if (editing && editing !== editingShown) {
      const start = field("start_seconds");
      if (start && start.value !== "") seek(Number(start.value));
      place(previewBox, null);
    }
    editingShown = editing;
  });

  syncBoxFromFields();
  const initialForm = document.getElementById("tell-form");
  if (initialForm && initialForm.dataset.editing) {
    // The no-htmx edit page: show the tell's moment once the player knows its length.
    editingShown = initialForm.dataset.editing;
    const start = Number(field("start_seconds")?.value) || 0;
    if (video && video.readyState >= 1) seek(start);
    else if (video) video.addEventListener("loadedmetadata", () => seek(start), { once: true });
  }
})();
