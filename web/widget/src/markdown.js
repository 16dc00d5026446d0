// A safe subset of markdown for bot texts: **bold**, *italics*, lists, [links](https://…), bare
// http(s) addresses (clickable too) and line breaks. Builds DOM nodes with textContent only; bot
// or user text never reaches innerHTML, so markup in a message is shown as text and never runs.

const INLINE =
  /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+?)\*\*|\*([^*\s][^*\n]*?)\*|(https?:\/\/[^\s<>()[\]]+[^\s<>()[\].,;:!?'"])/g;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** The URL as an absolute http(s) address, or null for anything else (javascript:, data:…). */
export function safeUrl(raw, base) {
  if (typeof raw !== "string" || !raw.trim()) return null;
  try {
    const url = new URL(raw.trim(), base || window.location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** An <a> that opens in a new tab without giving that tab access to this page. */
export function makeLink(doc, href, text) {
  const link = doc.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = text;
  const hint = doc.createElement("span");
  hint.className = "koers-sr-only";
  hint.textContent = " (opent in een nieuw tabblad)";
  link.appendChild(hint);
  return link;
}

function appendInline(doc, parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.appendChild(doc.createTextNode(text.slice(last, match.index)));
    const [whole, linkText, linkUrl, bold, italic, bare] = match;
    if (bare !== undefined) {
      const href = safeUrl(bare);
      parent.appendChild(href ? makeLink(doc, href, bare) : doc.createTextNode(whole));
    } else if (linkText !== undefined) {
      const href = safeUrl(linkUrl);
      parent.appendChild(href ? makeLink(doc, href, linkText) : doc.createTextNode(whole));
    } else if (bold !== undefined) {
      const strong = doc.createElement("strong");
      appendInline(doc, strong, bold);
      parent.appendChild(strong);
    } else {
      const em = doc.createElement("em");
      appendInline(doc, em, italic);
      parent.appendChild(em);
    }
    last = match.index + whole.length;
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

/** A DocumentFragment with the rendered text: paragraphs, <ul>/<ol> lists, inline markup. */
export function renderMarkdown(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  let paragraph = null;
  let list = null;
  for (const line of lines) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const tag = bullet ? "UL" : "OL";
      if (!list || list.tagName !== tag) {
        list = doc.createElement(tag.toLowerCase());
        // "2. …" in a message of its own (one card per message) counts on from 2, not from 1
        const first = numbered ? parseInt(line, 10) : 1;
        if (numbered && first !== 1) list.setAttribute("start", String(first));
        fragment.appendChild(list);
      }
      const item = doc.createElement("li");
      appendInline(doc, item, (bullet || numbered)[1]);
      list.appendChild(item);
      paragraph = null;
      continue;
    }
    list = null;
    if (!line.trim()) {
      paragraph = null;
      continue;
    }
    if (paragraph) {
      paragraph.appendChild(doc.createElement("br"));
    } else {
      paragraph = doc.createElement("p");
      fragment.appendChild(paragraph);
    }
    appendInline(doc, paragraph, line);
  }
  return fragment;
}
