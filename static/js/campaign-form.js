/* The organizer's campaign page (templates/campaigns/organize/campaign_form.html).
 *
 * - The embed snippet's "Copy" button: shown only where this file runs, since without it the
 *   snippet is still there to select and copy by hand.
 * - The accent colour: a colour picker beside the text field, each following the other. The
 *   text field is the one submitted, so without this file the colour is typed as # and six
 *   hex digits. */
(() => {
  "use strict";

  for (const button of document.querySelectorAll("[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent);
        if (status) status.textContent = status.dataset.copiedText;
      } catch {
        if (status) status.textContent = status.dataset.failedText;
      }
    });
  }

  const HEX = /^#[0-9a-fA-F]{6}$/;
  for (const picker of document.querySelectorAll("[data-colour-for]")) {
    const text = document.getElementById(picker.dataset.colourFor);
    if (!text) continue;
    picker.hidden = false;
    if (HEX.test(text.value)) picker.value = text.value.toLowerCase();
    picker.addEventListener("input", () => {
      text.value = picker.value;
    });
    text.addEventListener("input", () => {
      if (HEX.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
    });
  }
})();
