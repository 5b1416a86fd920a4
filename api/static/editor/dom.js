// What every panel of the page shares: its elements by id, and how pasted text is told from HTML.

export const $ = (id) => document.getElementById(id);

// HTML pasted with Format = Text: tags a CMS body is made of.
export const LOOKS_HTML = /<(p|div|article|section|br|span|a|h[1-6]|ul|ol|li|figure|img|html|body|strong|em|b|i)\b[^>]*>/i;
