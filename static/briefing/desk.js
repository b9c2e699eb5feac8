// The annotation desk: select words of a sentence to draft a claim on exactly those words.
// Without this script every sentence still has its "Claim this sentence" button.
"use strict";

(function () {
  const article = document.querySelector(".desk-article");
  if (!article) return;

  function offsetWithin(element, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(element);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function removeOffer() {
    const old = article.querySelector(".desk-selection-button");
    if (old) old.remove();
  }

  function offerSelection(event) {
    // A click on the offer itself must reach it, not replace it.
    if (event.target.closest(".desk-selection-button")) return;
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount !== 1) return;
    const range = selection.getRangeAt(0);
    const start = range.startContainer.parentElement;
    const text = start && start.closest(".desk-sentence .desk-text");
    if (!text || text.closest(".desk-draft") || !text.contains(range.endContainer)) return;
    const sentence = text.closest(".desk-sentence");
    const base = Number(sentence.dataset.start);
    const from = base + offsetWithin(text, range.startContainer, range.startOffset);
    const to = base + offsetWithin(text, range.endContainer, range.endOffset);
    if (to <= from) return;
    removeOffer();
    const link = document.createElement("a");
    link.className = "button desk-selection-button";
    link.href = "?p=" + sentence.dataset.paragraph + "&start=" + from + "&end=" + to + "#draft";
    link.textContent = "Claim the selected words";
    sentence.querySelector(".desk-state").append(link);
  }

  article.addEventListener("mouseup", offerSelection);
  article.addEventListener("keyup", offerSelection);

  // The draft opened under its sentence takes the focus, for keyboard and screen reader users.
  const draft = document.getElementById("draft");
  if (draft && window.location.hash === "#draft") draft.focus();
})();
