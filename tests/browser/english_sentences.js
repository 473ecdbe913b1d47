// The word-list check of tests/browser/test_every_page.py: the sentences of <main> that read as English (two or
// more English function words, more than French ones), outside lang="en" quotations, translate="no" user text,
// the values of form fields (textarea),
// code and hidden text.
() => {
  const EN = new Set(["the","and","with","which","from","of","is","are","for","this","that","to","by","not","be","without","every","on","per","its","has","have","or","in","a","an","at","as","when","no"]);
  const FR_HINT = new Set(["le","la","les","des","du","et","est","une","un","pour","par","sur","sans","aux","au","ou","de","à"]);
  const out = [];
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('[lang="en"], [translate="no"], textarea, code, pre, script, style, .visually-hidden, [hidden]')) continue;
    if (el.offsetParent === null && getComputedStyle(el).position !== "fixed") continue;
    const words = (node.textContent.toLowerCase().match(/[a-zàâçéèêëîïôûùüÿœ']+/g) || []);
    if (words.length < 4) continue;
    const en = words.filter((w) => EN.has(w)).length, fr = words.filter((w) => FR_HINT.has(w)).length;
    if (en >= 2 && en > fr) out.push(node.textContent.trim().slice(0, 120));
  }
  return out;
}
