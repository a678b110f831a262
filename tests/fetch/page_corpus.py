"""Pages that exercise every branch of how a page is read (issue 10).

A second reader of pages (one walking lxml's own tree instead of bs4's) must read every
page as the bs4 path does: :func:`verifier.fetch.visibility.view_of` (title, visible text,
hidden passages, links), :func:`verifier.fetch.content.shape_notes`, ``Page.document_title``,
``Page.every_title()`` and the number of ``<script>`` elements. :data:`READING_PAGES` are
small hand-written pages, each aimed at one corner where two readers of HTML most easily
disagree; :func:`random_page` makes structured random pages mixing the same pieces.
``tests/fetch/test_page_corpus.py`` checks that together they reach every hiding reason,
every kind of link and title and both shape notes, so the corpus cannot silently rot.

Only the standard library here: the corpus is plain text, read by whatever reader a test
compares.
"""

from __future__ import annotations

import random


def _doc(body: str, head: str = "", title: str = "Corpus page") -> str:
    """A whole page: ``head`` and a ``<title>`` in the head, ``body`` in the body."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def _styled(css: str, body: str) -> str:
    """A page whose ``<style>`` is ``css``."""
    return _doc(body, head=f"<style>{css}</style>")


_FILLER = " ".join(f"word{n}" for n in range(60))
"""About 450 characters of plain text: a page that is no JavaScript shell."""

# --- hiding by element and attribute -----------------------------------------------------

_ELEMENT_HIDING = [
    _doc("<p>seen</p><p hidden>hidden attribute</p>"),
    _doc("<div HIDDEN='until-found'>uppercase hidden attribute</div><p>after</p>"),
    _doc("<div hidden><a href='/in-hidden'>link in hidden</a><p>deep <b>bold</b></p></div>"),
    _doc("<p aria-hidden='true'>aria hidden</p><p aria-hidden='false'>aria shown</p>"),
    _doc("<p aria-hidden=' TRUE '>aria spaced upper</p><p aria-hidden>aria empty</p>"),
    _doc("<div popover>a popover</div><div popover='manual'>manual popover</div>"),
    _doc("<template><p>template text</p><a href='/t'>template link</a></template><p>x</p>"),
    _doc("<template><template>nested template</template></template><p>out</p>"),
    _doc("<div><template><h1>404 in template</h1></template></div><p>body</p>"),
    _doc("<dialog>closed dialog text</dialog><dialog open>open dialog text</dialog>"),
    _doc("<dialog OPEN=''>open upper</dialog><dialog><a href='/d'>in closed</a></dialog>"),
    _doc("<canvas>canvas fallback <a href='/c'>c</a></canvas><p>after canvas</p>"),
    _doc("<video src='v.mp4'>video fallback</video><audio>audio fallback</audio>"),
    _doc("<iframe src='/f'>iframe text <b>bold</b></iframe><p>after iframe</p>"),
    _doc("<noembed>noembed text</noembed><noframes>noframes text</noframes>"),
    "<html><head><title>Frames</title></head><frameset><p>frameset text</p></frameset></html>",
    _doc("<datalist id='d'><option>opt one</option><option value='v'>two</option></datalist>"),
    _doc("<ruby>kan<rp>(</rp><rt>kanji</rt><rp>)</rp></ruby> ruby text"),
    _doc("<object data='x.swf'>object fallback</object><object>object no data</object>"),
    _doc("<object data=''>empty data object</object><object type='a/b'>typed</object>"),
    _doc("<p>seen <span hidden>inner <i>deep</i></span> tail</p>"),
    _doc("<div hidden><div aria-hidden='true'>nested reasons</div></div>"),
    _doc("<section aria-hidden='true'><p popover>both</p></section><p>free</p>"),
    _doc("<p><title>title in body</title> body text</p>"),
    _doc("<details><summary>summary</summary>details body</details>"),
    _doc("<select><option>option a</option><option>option b</option></select>"),
    _doc("<input value='input value'><button>button text</button><label>label</label>"),
]

# --- SVG: what is not drawn, and what a <use> shows ---------------------------------------

_SVG = [
    _doc("<svg><defs><text id='a'>defs text</text></defs><text>drawn</text></svg>"),
    _doc("<svg><symbol id='s'><text>symbol text</text></symbol></svg><p>after</p>"),
    _doc("<svg><desc>svg desc</desc><title>svg title</title><metadata>meta</metadata></svg>"),
    _doc(
        "<svg><defs><g id='logo'><text>Acme shown by use</text></g></defs><use href='#logo'/></svg>"
    ),
    _doc(
        "<svg xmlns:xlink='http://www.w3.org/1999/xlink'><defs><text id='x'>xlink shown"
        "</text></defs><use xlink:href='#x'></use></svg>"
    ),
    _doc("<svg><symbol id='sym'>symbol via use</symbol><use href='#sym'/></svg>"),
    _doc(
        "<svg><symbol id='sy'><text id='st'>symbol child via use</text></symbol>"
        "<use href='#st'/></svg>"
    ),
    _doc(
        "<svg><defs><text id='h'>hidden use target</text></defs>"
        "<use href='#h' style='display:none'/></svg>"
    ),
    _doc(
        "<div hidden><svg><use href='#p'/></svg></div>"
        "<svg><defs><text id='p'>use in hidden div</text></defs></svg>"
    ),
    _doc(
        "<svg><defs><text id='m'>too many uses</text></defs>" + "<use href='#m'/>" * 101 + "</svg>"
    ),
    _doc(
        "<svg><defs><text id='k'>exactly 100 uses</text></defs>"
        + "<use href='#k'/>" * 100
        + "</svg>"
    ),
    _doc(
        "<svg><use href='other.svg#z'/><use href='#'/><defs><text id=''>e</text>"
        "<text id='z'>not local</text></defs></svg>"
    ),
    _doc("<title>not svg</title><svg><g><title>svg g title</title></g></svg>"),
    _doc(
        "<svg><defs><g id='g1'><text>used g</text><desc>desc inside used</desc></g></defs>"
        "<use href='#g1'/></svg>"
    ),
    _doc(
        "<svg><defs><text id='dup'>dup one</text><text id='dup'>dup two</text></defs>"
        "<use href='#dup'/></svg>"
    ),
    _doc("<svg><a href='/svg-link'><text>svg anchor</text></a></svg>"),
    _doc("<svg><foreignObject><p>foreign html</p><title>fo title</title></foreignObject></svg>"),
    _doc("<svg><p>breakout paragraph</p><title>after breakout</title></svg>"),
    _doc("<svg><desc><p>p in desc</p></desc></svg>"),
    _doc("<math><mi>x</mi><title>math title</title><mtext>math text</mtext></math>"),
    _doc("<math><annotation-xml><title>annotation title</title></annotation-xml></math>"),
    _doc("<defs>html defs</defs><symbol>html symbol</symbol><desc>html desc</desc>"),
    _doc("<SVG><DEFS><TEXT ID='U'>upper svg</TEXT></DEFS><USE HREF='#U'/></SVG>"),
]

# --- inline styles: each threshold, just inside and just outside --------------------------

_INLINE_STYLES = [
    "display:none", "DISPLAY : NONE !important", "display:/* c */none", "d\\69splay:none",
    "display:block", "display:none;display:block", "visibility:hidden", "visibility:collapse",
    "visibility:visible", "content-visibility:hidden", "opacity:0", "opacity:0.05",
    "opacity:0.06", "opacity:5%", "opacity:6%", "filter:opacity(0)", "filter:opacity(0.5)",
    "zoom:0.01", "zoom:1", "font-size:0", "font-size:2px", "font-size:3px", "font-size:2pt",
    "font-size:0.1em", "font-size:0.2em", "font-size:0.1rem", "font-size:19%",
    "font-size:0.2vw", "font-size:-1px", "font-size:calc(0px)", "font-size:calc(1px + 0px)",
    "left:-999px", "left:-998px", "top:-1000em", "right:-100vw", "bottom:-99vw",
    "inset:-5000px", "margin:0 0 0 -9999px", "margin-left:-1000%", "margin-top:-999%",
    "text-indent:-9999px", "translate:-2000px", "transform:translateX(-9999px)",
    "transform:translate(0,-100vh)", "transform:scale(0)", "transform:scaleY(0.01)",
    "transform:scale(1)", "scale:0", "scale:1 0.02", "clip:rect(0 0 0 0)",
    "clip:rect(0,0,0,0)", "clip:rect(1px 2px 3px 4px)", "clip-path:inset(50%)",
    "clip-path:inset(100%)", "clip-path:inset(49%)", "clip-path:circle(0)",
    "clip-path:polygon(0 0, 0 0, 0 0)", "clip-path:polygon(0 0, 100% 0, 100% 100%)",
    "color:transparent", "color:#0000", "color:#ffffff00", "color:rgba(0,0,0,0)",
    "color:hsl(0 0% 0% / 0)", "color:rgb(0 0 0 / 4%)", "color:red",
    "-webkit-text-fill-color:transparent",
    "color:transparent;background:linear-gradient(red,blue);background-clip:text",
    "color:transparent;-webkit-text-stroke:1px black", "width:0;overflow:hidden",
    "width:1px;overflow:clip", "height:1px;overflow-y:auto", "max-height:0;overflow:scroll",
    "height:0", "width:2px;overflow:hidden", "height:0;overflow:visible hidden",
    "width:0;overflow-x:hidden", "left:-9999px;position:absolute", "bottom:-999em",
    "margin-top:-1000px", "margin-right:-100vmax", "margin-bottom:-999rem",
    "max-width:1px;overflow:hidden", "max-width:0;overflow:visible", "opacity:", ":none",
    "display", ";;;", "display:none" + " " * 3000, "font-size:" + "9" * 5000 + "x",
    "font-size:calc(0px", "display:n\\one", "clip-path:polygon(evenodd, 0 0, 5px 5px, 9px 9px)",
    "clip-path:polygon(0 0, 10px)", "clip-path:polygon(0 0, 10px 0, 50% 0)",
]  # fmt: skip

_INLINE = [_doc(f"<p>seen</p><div style='{css}'>styled text</div>") for css in _INLINE_STYLES]
_INLINE += [
    _doc("<div style='display:none'><p style='display:block'>child cannot undo</p></div>"),
    _doc("<p STYLE='display:none'>upper attribute name</p>"),
    _doc("<p style='display:none' style='display:block'>duplicate style, first wins</p>"),
    _doc("<p style='display:block' style='display:none'>duplicate style, first shown</p>"),
    _doc("<div {urn:x}style='display:none'>namespaced style attribute</div>"),
    _doc("<p style=\"content:'x;display:none'\">semicolon in a string</p>"),
]

# --- the page's stylesheets ---------------------------------------------------------------

_IMPORTED = "data:text/css,.imp%7Bdisplay:none%7D"
_B64 = "data:text/css;base64,LmI2NHtkaXNwbGF5Om5vbmV9"  # .b64{display:none}

_SHEETS = [
    _styled(".promo{display:none}", "<p class='promo'>class rule</p><p>x</p>"),
    _styled("#secret{visibility:hidden}", "<p id='secret'>id rule</p><p id='other'>o</p>"),
    _styled("aside{opacity:0}", "<aside>tag rule</aside><p>x</p>"),
    _styled("ASIDE{opacity:0}", "<aside>upper tag rule</aside>"),
    _styled("[data-x]{display:none}", "<p data-x>attribute rule</p><p>shown</p>"),
    _styled("[data-x='y']{display:none}", "<p data-x='y'>value</p><p data-x='z'>other</p>"),
    _styled('[rel="a b"]{display:none}', "<a href='/r' rel='a b'>rel ab</a>"
            "<a href='/r2' rel='a  b'>rel a  b</a><a href='/r3' rel='b a'>rel ba</a>"),
    _styled("[class~=x]{display:none}", "<p class='x y'>class word</p><p class='xy'>no</p>"),
    _styled('[class="a b"]{display:none}', "<p class=' a   b '>spaced class</p>"
            "<p class='a b'>plain class</p><p class='a\tb'>tab class</p>"),
    _styled("[title='A' i]{display:none}", "<p title='a'>case-insensitive</p>"),
    _styled(".a.b{display:none}", "<p class='a b'>both</p><p class='a'>one</p>"),
    _styled("div.a#i[data-q]{display:none}", "<div class='a' id='i' data-q>compound</div>"
            "<div class='a' id='i'>no attr</div>"),
    _styled("*{display:none}", "<p>star hides all</p>"),
    _styled("body *{color:transparent}", "<p>star descendant</p>"),
    _styled(".p:not(.shown){display:none}", "<p class='p'>not shown</p>"
            "<p class='p shown'>shown</p>"),
    _styled(".h:hover{display:none}", "<p class='h'>hover only</p>"),
    _styled(".h:not(:hover){display:none}", "<p class='h'>not hover</p>"),
    _styled(".b::before{display:none}", "<p class='b'>pseudo element</p>"),
    _styled("@media print{.pr{display:none}}", "<p class='pr'>print only</p>"),
    _styled("@media screen{.sc{display:none}}", "<p class='sc'>screen media</p>"),
    _styled("@media (min-width:1px){@supports (x:y){.nest{display:none}}}",
            "<p class='nest'>nested at-rules</p>"),
    _styled(".x .y > .z{display:none}", "<p class='z'>complex subject</p>"),
    _styled(".a, .b{display:none} .c{color:red}", "<p class='b'>list</p><p class='c'>c</p>"),
    _styled(".\\70 romo{display:none}", "<p class='promo'>escaped selector</p>"),
    _styled("/* .c{display:none} */ .d{display:/**/none}", "<p class='c'>comment</p>"
            "<p class='d'>d</p>"),
    _styled("[title='a,b']{display:none}", "<p title='a,b'>comma in attribute</p>"),
    _styled(".u{display:none", "<p class='u'>unclosed block</p>"),
    _styled("}}}.w{display:none}", "<p class='w'>stray braces</p>"),
    _styled("." + "k" * 3000 + "{display:none}", "<p class='k'>long selector</p>"),
    _styled("p[x=\"" + "q" * 100 + "{display:none}", "<p>unclosed string</p>"),
    _doc("<p class='imp'>link stylesheet</p>",
         head=f"<link rel='stylesheet' href='{_IMPORTED}'>"),
    _doc("<p class='b64'>base64 link</p>", head=f"<link rel='Stylesheet' href=' {_B64} '>"),
    _doc("<p class='imp'>alternate sheet</p>",
         head=f"<link rel='alternate stylesheet' href='{_IMPORTED}'>"),
    _doc("<p class='imp'>print link</p>",
         head=f"<link rel='stylesheet' media='print' href='{_IMPORTED}'>"),
    _doc("<p class='imp'>remote link</p>",
         head="<link rel='stylesheet' href='https://cdn.test/a.css'>"),
    _styled(f"@import url('{_IMPORTED}');", "<p class='imp'>imported</p>"),
    _styled(f'@import "{_IMPORTED}" print;', "<p class='imp'>imported for print</p>"),
    _styled(f"@import url({_B64});", "<p class='b64'>imported base64</p>"),
    _doc("<p class='m'>style media print</p>",
         head="<style media='print'>.m{display:none}</style>"),
    _doc("<p class='m'>style in body</p><style>.m{display:none}</style>"),
    _doc("<svg><style>.s{display:none}</style></svg><p class='s'>svg style</p>"),
    _styled("".join(f".k[data-n='{n}']{{display:none}}" for n in range(257)),
            "<p class='k'>257 rules on one key</p><p>free</p>"),
    _styled("".join(f".a[data-n='{n}']{{display:none}}.b[data-n='{n}']{{display:none}}"
                    for n in range(200)),
            "<p class='a b'>too many tries</p><p class='a'>two hundred</p>"),
    _styled(".g{display:none}", "<p class='g' style='display:block'>inline cannot undo</p>"),
    _styled(", .e1,{display:none}", "<p class='e1'>empty selectors in the list</p>"),
    _styled(".q:not(.r {display:none}", "<p class='q'>unclosed parenthesis</p>"),
    _styled(".iz:is(.b, .c){display:none}", "<p class='iz'>is() subject</p>"),
    _doc("<p class='imp'>bad base64</p>",
         head="<link rel='stylesheet' href='data:text/css;base64,A'>"),
    _styled("/*" + "c" * 17000 + "*/.big{display:none}", "<p class='big'>over 16 KiB of CSS</p>"),
    _styled(".hid{display:none}", "<div class='hid'><a href='/rule-link'>ruled link</a></div>"),
]  # fmt: skip

# --- links --------------------------------------------------------------------------------

_LINKS = [
    _doc("<a href='/plain'>plain link</a> <a href='https://other.test/x'>absolute</a>"),
    _doc(
        "<a href='rel/path?q=1#f'>relative</a><a href='../up'>up</a><a href='//host.test/'>"
        "scheme relative</a><a href='#frag'>fragment</a><a href=''>empty href</a>"
    ),
    _doc(
        "<a href='http://[bad'>malformed</a><a href='http://exa mple.test/'>space</a>"
        "<a href='http://x.test:99999/'>port</a><a href='javascript:alert(1)'>js</a>"
        "<a href='http://[::1'>open bracket</a><a href='http://a.test:abc/'>bad port</a>"
        "<a href='http://a:b:c/'>colons</a><a href='http:///x'>three slashes</a>"
    ),
    _doc("<a href='mailto:a@b.test'>mail</a><a href=' /spaced '>spaced</a><a>no href</a>"),
    _doc("<a href='/empty'></a><a href='/ws'>  </a><a href='/zw'>\u200b</a>"),
    _doc("<a href='/img'><img src='a.png' alt='Alt text'></a>"),
    _doc("<a href='/img-noalt'><img src='a.png'></a>"),
    _doc("<a href='/img-hidden'><img src='a.png' alt='hidden img' hidden></a>"),
    _doc("<a href='/tiny'><img src='p.gif' width='1' height='1' alt='tiny'></a>"),
    _doc("<a href='/tiny-style'><img src='p.gif' style='width:2px' alt='t'></a>"),
    _doc("<a href='/zero'><img src='p.gif' width='0'></a><a href='/3'><img width='3'></a>"),
    _doc("<a href='/em'><img src='p.gif' width='1em' alt='em'></a>"),
    _doc("<a href='/svg'><svg><path d='M0 0'/></svg></a>"),
    _doc("<a href='/svg-hidden'><svg aria-hidden='true'></svg></a>"),
    _doc("<a href='/svg-tiny'><svg width='1' height='1'></svg></a>"),
    _doc("<a href='/svg-alt'><svg alt='svg alt'></svg></a>"),
    _doc("<a href='/both'>words <img src='x' alt='and alt'></a>"),
    _doc("<a href='/h' hidden>hidden link <img src='x' alt='alt of hidden'></a>"),
    _doc("<a href='/h2' style='display:none'><img src='x' alt='alt hidden style'></a>"),
    _doc("<a href='/part'>shown <span hidden>secret words</span></a>"),
    _doc("<a href='/outer'>outer <a href='/inner'>inner</a> tail</a>"),
    _doc("<a href='/o'><div><a href='/i'>block nested</a></div></a>"),
    _doc("<div aria-hidden='true'><a href='/ah'>aria parent</a></div>"),
    _doc("<p style='opacity:0'><a href='/op'>faint parent</a></p>"),
    _doc("<a HREF='/upper'>UPPER HREF</a><A href='/uptag'>upper tag</A>"),
    _doc("<a href='/dup' href='/second'>duplicate href</a>"),
    _doc("<a href='/ent?a=1&amp;b=2&copy'>entity href</a>"),
    _doc("<a href='/\u00e9t\u00e9'>unicode href</a><a href='/%zz'>bad percent</a>"),
    _doc("<a href=/unquoted>unquoted</a><a href='/x'\n>newline</a>"),
    _doc("<a href='/pic'><picture><img src='a' alt='in picture'></picture></a>"),
    _doc("<a href='/nest'><span><img src='a' alt='nested img'></span> </a>"),
    _doc("<a href='/two'><img src='a' hidden alt='h'><img src='b' alt='seen'></a>"),
    _doc("<a href='/tmpl'><template>template words</template></a>"),
    _doc("<table><a href='/foster'>fostered link</a><tr><td>cell</td></tr></table>"),
    _doc("<a href='/long'>" + "long " * 400 + "</a>"),
    _doc("<map><area href='/area' alt='area'></map><a href='/after'>after map</a>"),
]

# --- text placement, markup oddities ------------------------------------------------------

_TEXT = [
    "<html><head><title>Head only</title></head></html>",
    "<html><head>text in head<title>T</title></head><body>b</body></html>",
    "<html><head><title>T</title><meta name='x'>head text after meta</head><body></body></html>",
    "<html><body>body</body></html>after html end",
    "before html<html><body>body</body></html>",
    "<html><body>a<!-- comment text -->b</body></html>",
    _doc("<script>var s = 'script text';</script><style>.x{}</style><p>after</p>"),
    _doc("<noscript><p>noscript text</p><a href='/ns'>ns link</a></noscript>"),
    _doc("<ruby>\u6f22<rt>kan</rt>\u5b57<rt>ji</rt></ruby>"),
    _doc("<ruby>base<rp>(</rp><rt><h1>404 in rt</h1></rt><rp>)</rp></ruby>"),
    _doc("<rt>stray rt</rt><rp>stray rp</rp>"),
    _doc("<h1>   </h1><p>\n\t \n</p><p>&nbsp;</p><p>\u00a0nbsp\u00a0</p>"),
    _doc("<p>A\u200bc\u200cm\u200de\u2060 \u00ad\ufeffzero width</p>"),
    _doc("<pre>\n  pre  text\n\n  kept  </pre><textarea>\n area  text </textarea>"),
    _doc("<p>&amp; &lt;tag&gt; &quot; &#39; &#x41; &#65; &copy &notanentity; &#0; &#xD800;</p>"),
    _doc("<p><![CDATA[cdata text]]></p><svg><![CDATA[svg cdata]]></svg>"),
    _doc("<p>pi<?php echo 'x'; ?>after</p><?xml version='1.0'?>"),
    "<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' "
    "'http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd'><html><body>xhtml doctype</body></html>",
    "<!doctype HTML SYSTEM 'about:legacy-compat'><p>legacy doctype</p>",
    "<!DOCTYPE><p>empty doctype</p>",
    "<!DOCTYPE html><!DOCTYPE html><p>two doctypes</p>",
    "\ufeff<!DOCTYPE html><title>BOM title</title><p>bom</p>",
    "\ufeff\ufeffdouble bom",
    _doc("<p>nul\x00char</p><p>ctl\x01\x07\x1f\x7f\x85</p>"),
    _doc("<p>\r\ncrlf\rcr\fformfeed\u2028ls\u2029ps</p>"),
    _doc("<p title='" + "t" * 20000 + "'>long attribute</p>"),
    _doc("<p class='a' class='b' id='1' id='2'>duplicate attributes</p>"),
    "<HTML><HEAD><TITLE>UPPER TITLE</TITLE></HEAD><BODY><P CLASS='X'>UPPER</P></BODY></HTML>",
    _doc("<p xlink:href='#a' xml:lang='fr' xmlns:q='urn:q'>prefixed attributes</p>"),
    _doc("<div><p>unclosed <b>bold <i>italic"),
    _doc("</p></div></span>stray end tags</b><p>x</p></html></body>more"),
    _doc("<b>bold <i>both</b> italic</i> <a href='/m'><b>misnested</a> link</b>"),
    _doc("<p>1<p>2<p>3<div>4</p>5"),
    _doc("<table>fostered text<tr>row text<td>cell</td></tr>tail</table>"),
    _doc(
        "<table><tr><td>a<table><caption>cap</caption><tr><th>h</th></tr></table></td></tr></table>"
    ),
    _doc("<table><div hidden>hidden fostered</div><tr><td>c</td></tr></table>"),
    _doc("<table><tbody><p>p in tbody</p><tr><td>x</td></tr></tbody></table>"),
    _doc("<svg><p>svg breakout</p>after</svg><p>next</p>"),
    _doc("<svg><text>svg text<b>bold breakout</b></text></svg>"),
    _doc("<math><mi>x</mi><mo>=</mo><mn>1</mn><div>math breakout</div></math>"),
    _doc("<select><option>o<p>p in select</select>"),
    _doc("<xmp><b>xmp raw</b></xmp><plaintext><b>plain</b> rest"),
    _doc("<listing>\nlisting</listing><iframe>raw <b>iframe</b></iframe>"),
    _doc("<textarea><b>not bold</b></textarea><title>body title <b>x</b></title>"),
    _doc("<frameset><frame src='a'></frameset><p>after frameset</p>"),
    _doc("<image src='x'>image tag<isindex>"),
    _doc("<x-custom hidden>custom hidden</x-custom><my:tag>prefixed tag</my:tag>"),
    _doc("<p>" + "<span>" * 300 + "deep" + "</span>" * 300 + "</p>"),
    _doc("<div>" * 30 + "<p hidden>deep hidden</p>" + "</div>" * 30),
    _doc("<body hidden>second body hidden</body><p>x</p>"),
    "<html hidden><body>html hidden attribute</body></html>",
    "<html><body aria-hidden='true'><p>body aria hidden</p></body></html>",
    "<html><head></head><body style='display:none'><p>body display none</p></body></html>",
    "<head><p>p in head</p><title>late title</title></head>",
    "<html><head><img src='x'><title>title after img</title></head><body>b</body></html>",
]

# --- titles -------------------------------------------------------------------------------

_TITLES = [
    _doc("<p>x</p>", title="  Spaced \n  title  "),
    _doc("<p>x</p>", title=""),
    _doc("<p>x</p>", title="<b>markup</b> &amp; entities &lt;"),
    "<html><head><title>First</title><title>Second</title></head><body>b</body></html>",
    "<html><head></head><body><title>Body title</title><p>b</p></body></html>",
    "<html><head><title>Head</title></head><body><title>Body second</title></body></html>",
    "<html><body><svg><title>Only svg title</title></svg><p>x</p></body></html>",
    "<html><body><math><title>Only math title</title></math></body></html>",
    "<html><body><template><title>Template title</title></template></body></html>",
    "<html><head><noscript><title>Noscript title</title></noscript></head><body></body></html>",
    "<html><body><noscript><title>Body noscript title</title></noscript></body></html>",
    "<html><body><svg><foreignObject><title>Foreign object title</title></foreignObject>"
    "</svg></body></html>",
    "<html><body><svg><g><p>p</p><title>Broken svg title</title></g></svg></body></html>",
    "<html><body><svg><desc><title>Title in desc</title></desc></svg></body></html>",
    "<html><body><math><mi><title>Title in mi</title></mi></math></body></html>",
    "<html><body><svg><title>svg first</title></svg><title>html second</title></body></html>",
    "<title>No html element</title><p>x</p>",
    "<title>Unclosed title <p>x</p>",
    "<TITLE>Upper</TITLE><Title>Mixed</Title>",
    "<title>\u200b\u00a0</title><p>zero width title</p>",
    "<title>" + "Long title " * 200 + "</title>",
    "<html><head><title><!-- c -->Comment in title</title></head></html>",
    "<html><head><title>Error 404</title></head><body><h1>Welcome</h1></body></html>",
]

# --- shape notes: JavaScript shells and "not found" pages ---------------------------------

_SHAPES = [
    _doc("<div id='root'></div><script src='app.js'></script>", title=""),
    _doc("<p>Loading</p><script>boot()</script><script>more()</script>"),
    _doc(f"<p>{_FILLER}</p><script>boot()</script>"),
    _doc("<p>" + "x" * 199 + "</p><script></script>", title=""),
    _doc("<p>" + "x" * 200 + "</p><script></script>", title=""),
    _doc("<p hidden>" + "hidden text " * 30 + "</p><script></script>"),
    _doc("<noscript>" + "noscript words " * 30 + "</noscript><script></script>"),
    _doc("<template>" + "template words " * 30 + "</template><script></script>"),
    _doc("<p>short</p>", head="<script src='h.js'></script>"),
    _doc("<svg><script>svg script</script></svg>"),
    _doc("<h1>Welcome</h1>", title="Page not found"),
    _doc("<h1>Page not found</h1>", title="Acme"),
    _doc("<h1>Sorry, 404</h1>"),
    _doc("<h1>This page does not exist</h1><h1>second</h1>"),
    _doc("<h1>First</h1><h1>Second</h1><h1>Not found third</h1>", title=""),
    "<html><body><h1>Not found before title</h1><title>Acme</title></body></html>",
    _doc("<h1>14045 is no 404</h1>", title="Error14045"),
    _doc("<template><h1>Page not found</h1></template><p>real page</p>"),
    _doc("<ruby>x<rt><h1>page not found</h1></rt></ruby>"),
    _doc("<svg><title>404</title></svg><p>svg 404 title</p>", title=""),
    _doc("<svg><h1>Not found in svg</h1></svg>"),
    _doc("<h1 hidden>404 hidden heading</h1>"),
    _doc(f"<p>{_FILLER}</p>", title="No longer available"),
    _doc("<h1><span>Page</span> <b>cannot be found</b></h1>"),
]

# --- whole-document edge cases ------------------------------------------------------------

_EDGES = [
    "",
    " ",
    "\n\t\r\n  ",
    "<!-- only a comment -->",
    "<!DOCTYPE html>",
    "only text without tags",
    "<p>fragment without html or body</p><a href='/f'>fragment link</a>",
    "<html></html>",
    "<head></head>",
    "<body></body>",
    "<script>only()</script>",
    "<style>.a{display:none}</style>",
    "<a href='/only'>only a link</a>",
    "<",
    "</",
    "<!",
    "<>",
    "&amp;",
    "<?x?>",
    "<![CDATA[only cdata]]>",
    "\x00",
    "<svg/>",
    "<template>only template</template>",
    "<div hidden>only hidden</div>",
]

# --- markup across the parser's 512-character chunks ------------------------------------
# bs4's lxml builder feeds the page's text to lxml 512 characters at a time: a tag, an
# entity, a comment or a line ending cut in two by a chunk's end is where a reader fed
# otherwise would differ.

_CHUNK = 512
_ACROSS = [
    ("<html><body><p>", "&amp;&nbsp;&#x41;&copy", "</p>"),
    ("<html><body><p>", "<!-- cut comment -->", "after</p>"),
    ("<html><body><pre>", "\r\n\r\n", "pre</pre>"),
    ("<html><head><title>", "</title>", "</head><body>b</body>"),
    ("<html><body>", "<script>cut()</script>", "<p>s</p>"),
    ("<html><body>", "<a href='/chunk'>chunk link</a>", ""),
    ("<html><body>", "<p hidden>cut hidden</p>", "<p>seen</p>"),
    ("<html><body><svg>", "<![CDATA[cut cdata]]>", "</svg>"),
    ("<html><head><style>", ".cut{display:none}", "</style></head><body><p class='cut'>c</p>"),
    ("<html><body><svg><defs><text id='q'>t</text></defs>", "<use href='#q'/>", "</svg>"),
]
_CHUNKS = [
    f"{before}{'y' * (_CHUNK + shift - len(before))}{token}{after}"
    for before, token, after in _ACROSS
    for shift in (-len(token) // 2, -1, 0)
]
"""Each token above starting just before, or right at, the end of the first chunk."""


READING_PAGES: list[str] = [
    *_ELEMENT_HIDING,
    *_SVG,
    *_INLINE,
    *_SHEETS,
    *_LINKS,
    *_TEXT,
    *_TITLES,
    *_SHAPES,
    *_EDGES,
    *_CHUNKS,
]
"""Small hand-written pages, each aimed at one corner of how a page is read."""


# --- random pages -------------------------------------------------------------------------

_CLASSES = ("a", "b", "promo", "x", "k")
_IDS = ("i1", "i2", "logo", "s")
_STYLES = (
    "display:none",
    "visibility:hidden",
    "opacity:0",
    "font-size:1px",
    "left:-9999px",
    "color:transparent",
    "width:0;overflow:hidden",
    "display:block",
    "color:red",
)
_ATTRS = (
    "hidden",
    "aria-hidden='true'",
    "aria-hidden='false'",
    "popover",
    "open",
    "data-x='y'",
    "rel='a b'",
    "title='404'",
)
_SELECTORS = (
    ".{c}",
    "#{i}",
    "{t}",
    "[data-x='y']",
    "[rel='a b']",
    "[class~={c}]",
    ".{c}:not(.{c2})",
    ".{c}:hover",
    ".{c} .{c2}",
    "*",
    "{t}.{c}",
)
_CONTAINERS = (
    "div", "p", "span", "section", "b", "i", "li", "ul", "table", "td", "tr", "h1",
    "template", "dialog", "canvas", "video", "object", "iframe", "noscript", "ruby", "rt",
    "rp", "datalist", "select", "pre", "textarea", "title", "math", "svg", "a",
)  # fmt: skip
_SVG_PARTS = ("defs", "symbol", "g", "desc", "title", "metadata", "text", "foreignObject")
_WORDS = (
    "pricing",
    "free trial",
    "404",
    "page not found",
    "Acme",
    "&amp;",
    "&nbsp;",
    "\u200b",
    "  ",
    "\n",
    "savings",
    "z" * 40,
)


def _attributes(rng: random.Random, tag: str) -> str:
    """A few random attributes from the small alphabet above."""
    out: list[str] = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        roll = rng.random()
        if roll < 0.25:
            out.append(f"class='{' '.join(rng.sample(_CLASSES, rng.randint(1, 2)))}'")
        elif roll < 0.4:
            out.append(f"id='{rng.choice(_IDS)}'")
        elif roll < 0.6:
            out.append(f"style='{rng.choice(_STYLES)}'")
        elif roll < 0.85:
            out.append(rng.choice(_ATTRS))
        elif tag == "object":
            out.append("data='x.swf'")
        else:
            out.append(f"width='{rng.choice((1, 2, 3, 100))}'")
    return (" " + " ".join(out)) if out else ""


def _style_sheet(rng: random.Random) -> str:
    rules = []
    for _ in range(rng.randint(0, 6)):
        selector = rng.choice(_SELECTORS).format(
            c=rng.choice(_CLASSES),
            c2=rng.choice(_CLASSES),
            i=rng.choice(_IDS),
            t=rng.choice(("p", "span", "div", "a", "img")),
        )
        rule = f"{selector}{{{rng.choice(_STYLES)}}}"
        if rng.random() < 0.15:
            rule = f"@media {rng.choice(('print', 'screen'))}{{{rule}}}"
        rules.append(rule)
    return "".join(rules)


def random_page(rng: random.Random) -> str:
    """A random but structured page of 1 to 200 elements mixing the corpus's pieces:
    nested containers with hiding attributes, styles, classes and ids from a small
    alphabet; a ``<style>`` whose rules select that same alphabet (so they match);
    anchors with text or images; SVG with ``<defs>`` and ``<use>``; titles anywhere;
    scripts, comments and text. The same ``rng`` state gives the same page."""
    budget = rng.randint(1, 200)
    parts: list[str] = []
    used = 0

    def element(depth: int) -> None:
        nonlocal used
        if used >= budget:
            return
        used += 1
        roll = rng.random()
        if roll < 0.1:
            parts.append(
                f"<a href='{rng.choice(('/x', '#f', 'http://[', '', 'rel'))}'"
                f"{_attributes(rng, 'a')}>"
            )
            if rng.random() < 0.5 and used < budget:
                used += 1
                parts.append(f"<img{_attributes(rng, 'img')} alt='{rng.choice(_WORDS)}'>")
            else:
                parts.append(rng.choice(_WORDS))
            parts.append("</a>")
            return
        if roll < 0.16:
            parts.append(f"<script>var v{used} = 1;</script>")
            return
        if roll < 0.2:
            parts.append(f"<!-- {rng.choice(_WORDS)} -->")
            used -= 1  # a comment is no element
            return
        if roll < 0.27 and used + 3 <= budget:  # four elements in all
            ident = rng.choice(_IDS)
            part = rng.choice(_SVG_PARTS)
            use = rng.choice(("href", "xlink:href"))
            parts.append(
                f"<svg{_attributes(rng, 'svg')}><{part} id='{ident}'>"
                f"<text>{rng.choice(_WORDS)}</text></{part}>"
                f"<use {use}='#{rng.choice(_IDS)}'{_attributes(rng, 'use')}/></svg>"
            )
            used += 3
            return
        if roll < 0.32:
            parts.append(f"<img src='i.png'{_attributes(rng, 'img')}>")
            return
        tag = rng.choice(_CONTAINERS)
        parts.append(f"<{tag}{_attributes(rng, tag)}>")
        for _ in range(rng.randint(0, 4)):
            if depth < 12 and rng.random() < 0.6:
                element(depth + 1)
            else:
                parts.append(rng.choice(_WORDS))
        if rng.random() < 0.9:  # sometimes left open: the parser closes it
            parts.append(f"</{tag}>")

    while used < budget:
        element(0)
    body = "".join(parts)
    head = f"<style>{_style_sheet(rng)}</style>" if rng.random() < 0.8 else ""
    title = f"<title>{rng.choice(_WORDS)}</title>" if rng.random() < 0.7 else ""
    if rng.random() < 0.1:  # no html skeleton at all
        return title + head + body
    return f"<!DOCTYPE html><html><head>{title}{head}</head><body>{body}</body></html>"
