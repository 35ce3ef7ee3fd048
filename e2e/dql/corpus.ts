/**
 * The DQL differential corpus: queries run on the real Dgraph and on Strata over the same data
 * (dataset.ts), answers compared. `{{label}}` is the uid of a blank node of the data set (`a0` is
 * the first person, `m.010hnp` the director Yasujirō Ozu). Answers are compared with arrays sorted
 * unless a case is `ordered`; a case whose Dgraph answer is an error passes when Strata's is one too.
 */
import { ORDERED_QUERIES, PREDICATES, QUERIES } from '../interop/dataset.js';

export interface Case {
  /** `feature/n`: stable, so that the known differences can name it. */
  id: string;
  /** The DQL text (or, with `vars`, the `query` of a JSON body). */
  q: string;
  /** GraphQL-style query variables, sent in a JSON body. */
  vars?: Record<string, string>;
  /** The order of arrays counts (orderasc/orderdesc, pagination). */
  ordered?: boolean;
}

const OZU = '{{m.010hnp}}';
const RUTHERFORD = '{{g.122l35b0}}';

const LANGUAGE = [
  `{ q(func: uid(${OZU})) { name@en name@ja name@zh-Hant name@fr } }`,
  `{ q(func: uid(${OZU})) { name@* } }`,
  `{ q(func: uid(${OZU})) { name@fr:ja name@de:zh:en n: name@ko:. } }`,
  `{ q(func: uid(${OZU})) { name@. name@en:. } }`,
  `{ q(func: uid({{a0}}, {{a1}}, {{a10}})) { name@. name@de:. name@* } }`,
  `{ q(func: eq(name@en, "Yasujirō Ozu")) { uid name@ja } }`,
  `{ q(func: eq(name@ja, "小津 安二郎")) { uid name@en } }`,
  `{ q(func: eq(name@de, ["Person a1 in de", "Person a6 in de", "nobody"])) { uid name@de } }`,
  `{ q(func: eq(title@sv, "Åsa på ängen a0")) { uid title@sv } }`,
  `{ q(func: ge(title@de, "Straße der Füchse a3")) { title@de } }`,
  `{ q(func: lt(title@es, "Niño y señor a30")) { title@es } }`,
  `{ q(func: between(title@en, "Title of a1", "Title of a4")) { title@en } }`,
  `{ q(func: gt(title@ja, "ｶﾀｶﾅの本 a3")) { title@ja } }`,
  `{ q(func: has(title)) @filter(eq(title@cs, "Chata u řeky a1")) { uid } }`,
  `{ q(func: has(email)) @filter(le(title@ko, "한국어 제목 a45")) { title@ko } }`,
  `{ q(func: anyofterms(name@ja, "安二郎")) { uid name@ja } }`,
  `{ q(func: uid(${OZU})) { director.film (first: 6) { name@ja:en } } }`,
  `{ q(func: uid(${OZU})) { director.film @filter(has(name@ja)) { name@ja } } }`,
  `{ q(func: eq(email, "a2@example.com")) { title@ko:sv:. about@fr:. } }`,
  `{ q(func: has(about), first: 6) { about@* } }`,
  `{ q(func: uid({{a1}})) { n: name@en:de:. t: title@. } }`,
  `{ q(func: has(email)) @filter(has(name@ja)) { count(uid) } }`,
  `{ q(func: has(title@zh-TW)) { title@zh-TW } }`,
];

const LANGUAGE_ORDERED = [
  `{ q(func: uid(${OZU})) { director.film (orderasc: name@en, first: 10) { name@en } } }`,
  `{ q(func: uid(${OZU})) { director.film (orderdesc: name@en, first: 10) { name@en } } }`,
  `{ q(func: has(title), orderasc: title@de) { title@de } }`,
  `{ q(func: has(title), orderdesc: title@sv, first: 5) { title@sv } }`,
  `{ q(func: anyofterms(name@en, "Godfather"), orderasc: name@en) { name@en } }`,
];

const PAGINATION = [
  `{ q(func: has(email), first: 3) { email } }`,
  `{ q(func: has(email), first: 3, offset: 4) { uid } }`,
  `{ q(func: has(email), first: -3) { uid } }`,
  `{ q(func: has(email), offset: 70) { uid } }`,
  `{ q(func: has(email), offset: 500) { uid } }`,
  `{ q(func: has(email), after: {{a10}}, first: 4) { uid } }`,
  `{ q(func: has(email), after: {{a10}}) { count(uid) } }`,
  `{ q(func: uid({{a0}})) { friend (first: 2) { uid } } }`,
  `{ q(func: uid({{a0}})) { friend (offset: 1) { uid } } }`,
  `{ q(func: uid({{a0}})) { friend (first: -1) { uid } } }`,
  `{ q(func: uid({{a0}})) { friend (after: {{a1}}) { uid } } }`,
  `{ q(func: uid(${RUTHERFORD})) { director.film (first: 5, offset: 100) { uid } } }`,
  `{ q(func: uid(${OZU})) { count(director.film) director.film (first: 3) { uid } } }`,
  `{ q(func: has(friend), first: 2) { email friend (first: 1) { email friend (first: 1) { email } } } }`,
  `{ q(func: has(nick), first: 5) { nick } }`,
  `{ q(func: has(tags), first: 1) { tags (first: 3) } }`,
  `{ q(func: has(tags), first: 1) { tags (first: 2, offset: 19997) } }`,
  `{ q(func: anyofterms(name@en, "Matrix"), first: 2, offset: 1) { uid } }`,
];

const ORDERING = [
  `{ q(func: has(email), orderasc: age, orderasc: email, first: 10) { email age } }`,
  `{ q(func: has(email), orderdesc: age, orderdesc: email, first: 10) { email age } }`,
  `{ q(func: has(email), orderasc: born, first: 8) { email born } }`,
  `{ q(func: has(email), orderdesc: score, orderasc: email, first: 8, offset: 8) { email score } }`,
  `{ q(func: has(email), orderasc: active, orderasc: email, first: 6) { email active } }`,
  `{ q(func: has(email), orderdesc: seen, orderasc: email, first: 6) { email seen } }`,
  `{ q(func: uid({{a0}})) { friend (orderdesc: email) { email } } }`,
  `{ q(func: uid({{a0}}, {{a1}}, {{a2}})) { email friend (orderasc: age, orderasc: email) { email age } } }`,
  `{ q(func: ge(age, 70), orderasc: email) { email age } }`,
  `{ q(func: has(email), orderasc: email, after: {{a5}}, first: 3) { email } }`,
  `{ q(func: has(email), orderasc: name, first: 5) { name } }`,
  `{ q(func: uid(${OZU})) { director.film (orderasc: initial_release_date, first: 5) { initial_release_date } } }`,
];

const FILTERS = [
  `{ q(func: has(email)) @filter(gt(age, 70)) { email age } }`,
  `{ q(func: has(email)) @filter(le(age, 19) or ge(age, 76)) { email } }`,
  `{ q(func: has(email)) @filter(between(score, 10.0, 30.5)) { email score } }`,
  `{ q(func: has(email)) @filter(eq(active, false) and lt(born, "1960-01-01")) { email } }`,
  `{ q(func: has(email)) @filter(not has(bio)) { count(uid) } }`,
  `{ q(func: has(email)) @filter(type(Person) and not type(Team)) { count(uid) } }`,
  `{ q(func: type(Team)) { name boss { email } } }`,
  `{ q(func: type(Person), first: 3) { email } }`,
  `{ q(func: has(email)) @filter(uid_in(boss, {{a0}})) { email } }`,
  `{ q(func: has(email)) @filter(uid_in(friend, [{{a3}}, {{a5}}])) { email } }`,
  `{ q(func: has(email)) @filter(uid({{a1}}, {{a2}}, {{a3}}) and ge(age, 20)) { email } }`,
  `{ q(func: has(email)) @filter(anyofterms(name, "a1 a2 b1") or allofterms(name@en, "person a10")) { email } }`,
  `{ q(func: has(email)) @filter(eq(nick, ["nick-1", "nick-2"])) { email nick } }`,
  `{ q(func: has(email)) @filter(regexp(code, /^code-1[0-9]-/)) { code } }`,
  `{ q(func: has(email)) @filter(match(code, "code-1-xyz", 2)) { code } }`,
  `{ q(func: has(email)) @filter(eq(qhash, "00000000000000000000000000000000000000000000000000000000000000000a0")) { email } }`,
  `{ q(func: has(email)) @filter(alloftext(about, "forests dark")) { email } }`,
  `{ q(func: has(email)) @filter(ge(count(friend), 3) and le(count(nick), 2)) { email } }`,
  `{ q(func: uid({{a0}})) { friend @filter(eq(active, true) or ge(score, 100)) { email } } }`,
  `{ q(func: uid({{a0}})) { ~boss @filter(not eq(age, 19)) { email } } }`,
  `{ q(func: uid({{a4}})) { ~friend @filter(has(bio)) { email } boss @filter(has(email)) { email } } }`,
  `{ q(func: ge(initial_release_date, "2010")) @filter(anyofterms(name@en, "Godfather")) { name@en } }`,
  `{ q(func: between(initial_release_date, "1929-01-01", "1929-12-31")) @filter(has(directed_by)) { count(uid) } }`,
  `{ q(func: anyofterms(name@en, "Matrix")) @filter(le(initial_release_date, "2003-06-01")) { name@en initial_release_date } }`,
  `{ q(func: uid(${OZU})) { director.film @filter(lt(initial_release_date, "1930-01-01")) { name@en } } }`,
  `{ q(func: eq(initial_release_date, "2003-05-07")) { name@en } }`,
  `{ q(func: has(email)) @filter(near(place, [-170.5, -75.75], 300000) and not eq(age, 18)) { email } }`,
  `{ q(func: has(email)) @filter((eq(age, 20) or eq(age, 21)) and (eq(active, true) or has(bio))) { email } }`,
  `{ q(func: anyofterms(name, "a1 a2 a3")) @filter(not (eq(age, 19) or eq(age, 20))) { email } }`,
  `{ q(func: has(email)) @filter(gt(score, "12.5")) { count(uid) } }`,
  `{ q(func: has(email)) @filter(eq(age, "30")) { email } }`,
  `{ q(func: has(email)) @filter(eq(born, "1960")) { email } }`,
  `{ q(func: has(email)) @filter(has(~boss)) { email } }`,
  `{ q(func: has(email)) @filter(not has(~friend)) { email } }`,
  `{ q(func: has(email)) @filter(uid_in(boss, [{{a0}}, {{a1}}]) and ge(age, 20)) { email } }`,
];

const ROOT = [
  `{ q(func: uid({{a0}}, {{a0}}, {{a1}})) { uid } }`,
  `{ q(func: uid(0x0fffffffffff)) { uid } }`,
  `{ q(func: uid(0x0fffffffffff)) { name } }`,
  `{ q(func: has(~boss)) { count(uid) } }`,
  `{ q(func: has(~friend)) { count(uid) } }`,
  `{ q(func: has(director.film)) { count(uid) } }`,
  `{ q(func: has(initial_release_date)) { count(uid) } }`,
  `{ q(func: has(name)) { count(uid) } }`,
  `{ q(func: has(name@en)) { count(uid) } }`,
  `{ q(func: ge(count(director.film), 30)) { name@en count(director.film) } }`,
  `{ q(func: eq(count(director.film), 7)) { count(uid) } }`,
  `{ q(func: allofterms(name@en, "the godfather")) { name@en } }`,
  `{ q(func: anyofterms(name@en, "Ozu Rutherford")) { uid name@en } }`,
  `{ q(func: ge(initial_release_date, "2015-01-01")) { count(uid) } }`,
  `{ q(func: lt(initial_release_date, "1900")) { name@en initial_release_date } }`,
  `{ q(func: eq(initial_release_date, ["1929", "1930"])) { count(uid) } }`,
  `{ q(func: regexp(name@en, /^The Matrix/)) { name@en } }`,
  `{ q(func: match(name@en, "Matrx", 1)) { name@en } }`,
  `{ q(func: eq(name, ["Person a1", "Person b1", "Team a"])) { uid name } }`,
  `{ q(func: eq(age, 19)) { email } q2(func: eq(age, 20)) { email } }`,
  `{ a(func: uid({{a0}})) { email } b(func: uid({{a1}})) { email } c(func: has(tags)) { count(uid) } }`,
];

const NESTING = [
  `{ q(func: uid(${OZU})) { name@en director.film (first: 3) { name@en directed_by { name@en } } } }`,
  `{ q(func: uid({{m.0x25q}})) { name@en initial_release_date directed_by { name@en director.film (first: 2) { uid } } } }`,
  `{ q(func: uid({{m.0x25q}})) { ~director.film { name@en } } }`,
  `{ q(func: uid({{a0}})) { friend { friend { friend { email } } } } }`,
  `{ q(func: uid({{a8}})) { boss { boss { boss { email } } } } }`,
  `{ q(func: uid({{a0}})) { ~boss { ~boss { email } } } }`,
  `{ q(func: uid({{a0}})) { e: email n: name f: friend { e2: email } c: count(friend) } }`,
  `{ q(func: uid({{a0}})) { count(~boss) count(~friend) count(nick) count(tags) } }`,
  `{ q(func: uid({{a1}})) { uid dgraph.type expand(_all_) } }`,
  `{ q(func: type(Team)) { expand(_all_) { email } } }`,
  `{ q(func: uid({{a0}})) { friend { expand(_all_) } } }`,
  `{ q(func: uid({{a0}})) { friend { count(uid) } } }`,
  `{ q(func: uid(${RUTHERFORD})) { director.film { count(uid) } } }`,
  `{ q(func: type(Team)) { expand(Team) } }`,
  `{ q(func: uid({{a1}})) { expand(Person) { email } } }`,
  `{ q(func: uid({{a0}})) { friend { ~friend { email } } } }`,
];

const FACETS = [
  `{ q(func: uid({{a0}})) { friend @facets(close) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(c: close, w: weight) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(eq(close, true)) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(ge(weight, 0.5)) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(eq(close, false) and lt(weight, 1.0)) @facets(weight) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(eq(note, "d5")) { email } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(orderdesc: weight) { email } } }`,
  `{ q(func: has(email), first: 4) { email @facets(since) } }`,
  `{ q(func: has(email), first: 4) { email @facets(v: verified) } }`,
  `{ q(func: has(email)) @filter(uid({{a0}}, {{a1}})) { email @facets friend @facets { uid } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(w as weight) { email } } total(func: uid({{a0}})) { s: sum(val(w)) } }`,
  `{ q(func: uid({{a0}})) { friend @facets(eq(close, true) or eq(note, "d2")) { uid } } }`,
  `{ q(func: uid({{a0}})) { friend @facets(not eq(close, true)) { uid } } }`,
  `{ q(func: has(friend), first: 3) { email friend @facets(close) @filter(ge(age, 19)) { email } } }`,
];

const FACETS_ORDERED = [
  `{ q(func: uid({{a0}})) { friend @facets(orderasc: weight) { email } } }`,
  `{ q(func: uid({{a1}})) { friend @facets(orderdesc: note) { email } } }`,
];

const VARIABLES = [
  `{ var(func: uid({{a0}})) { f as friend } q(func: uid(f)) { email } }`,
  `{ var(func: uid({{a0}})) { f as friend { g as friend } } q(func: uid(f, g)) { email } }`,
  `{ var(func: uid({{a0}})) { f as friend } q(func: has(email)) @filter(uid(f)) { email } }`,
  `{ var(func: uid({{a0}})) { f as friend } q(func: has(email), first: 5) @filter(not uid(f)) { email } }`,
  `{ var(func: has(email)) { a as age } q(func: uid(a), first: 3) { email val(a) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a1}})) { email age: val(a) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a1}}, {{a2}})) { email double: math(a * 2) } }`,
  `{ var(func: has(email)) { a as age s as score } q(func: uid({{a3}})) { m: math(a + s) d: math(s / a) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a3}})) { m: math(max(a, 40)) n: math(min(a, 10)) } }`,
  `{ var(func: has(email)) { s as score } q(func: uid({{a5}})) { r: math(sqrt(s)) l: math(ln(s + 1.0)) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a3}}, {{a20}})) { c: math(cond(a > 30, 1, 0)) } }`,
  `{ var(func: has(email)) { a as age } q() { mn: min(val(a)) mx: max(val(a)) s: sum(val(a)) av: avg(val(a)) } }`,
  `{ var(func: has(email)) { s as score } q() { min(val(s)) max(val(s)) } }`,
  `{ var(func: has(email)) { b as born } q() { min(val(b)) max(val(b)) } }`,
  `{ q(func: uid({{a0}})) { friend { a as age } mean: avg(val(a)) top: max(val(a)) } }`,
  `{ q(func: uid({{a0}}, {{a1}})) { email friend { a as age } s: sum(val(a)) } }`,
  `{ var(func: has(friend)) { c as count(friend) } q(func: uid(c)) @filter(ge(val(c), 3)) { email val(c) } }`,
  `{ var(func: has(friend)) { c as count(~friend) } q(func: has(email)) @filter(eq(val(c), 1)) { email } }`,
  `{ var(func: uid(${OZU})) { f as director.film } q(func: uid(f)) @filter(lt(initial_release_date, "1930")) { name@en } }`,
  `{ var(func: uid(${OZU})) { d as director.film { n as count(directed_by) } } q(func: uid(d)) @filter(gt(val(n), 0)) { count(uid) } }`,
  `{ me as var(func: eq(email, "a3@example.com")) q(func: uid(me)) { email } }`,
  `{ me as var(func: eq(email, "a3@example.com")) q(func: has(email)) @filter(uid_in(friend, uid(me))) { email } }`,
  `{ var(func: has(email)) { a as age } q(func: eq(age, val(a)), first: 3) { email } }`,
  `{ var(func: uid({{a0}})) { friend { f as friend } } q(func: uid(f)) { count(uid) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a1}})) { f: math(a - 18) g: math(a % 7) h: math(pow(a, 2)) } }`,
  `{ var(func: has(email)) { a as age b as math(a * 10) } q(func: uid({{a1}})) { val(b) } }`,
  `{ q(func: uid({{a0}})) { c as count(friend) n: math(c + 1) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a2}})) { e: math(exp(a / 100.0)) f: math(floor(a / 7.0)) g: math(ceil(a / 7.0)) } }`,
  `{ var(func: has(email)) { a as age } q(func: uid({{a2}})) { m: math(a == 20) n: math(a != 20) o: math(a >= 20) } }`,
  `{ var(func: uid({{a0}})) { friend { a as age } } q(func: uid({{a0}})) { friend { val(a) } } }`,
  `{ var(func: has(email)) { s as score } q(func: uid({{a1}}, {{a2}})) { x: math(s * 2.0 - 1) } }`,
  `{ var(func: uid({{a0}}, {{a1}})) { friend { a as age } t as sum(val(a)) } q(func: uid({{a0}}, {{a1}})) { email val(t) } }`,
  `{ var(func: has(email)) { b as born } q(func: uid({{a1}})) { email y: val(b) } }`,
  `{ f as var(func: eq(age, 20)) q(func: has(email)) @filter(uid(f) or eq(age, 21)) { email } }`,
];

const VARIABLES_ORDERED = [
  `{ var(func: has(email)) { a as age } q(func: uid(a), orderdesc: val(a), orderasc: email, first: 5) { email val(a) } }`,
  `{ var(func: has(friend)) { c as count(friend) } q(func: uid(c), orderasc: val(c), orderasc: email, first: 6) { email val(c) } }`,
  `{ var(func: has(email)) { s as score } q(func: uid(s), orderdesc: val(s), first: 4) { email score } }`,
];

const CASCADE = [
  `{ q(func: has(email)) @cascade { email bio } }`,
  `{ q(func: uid({{a0}}, {{a1}}, {{a2}})) @cascade { email friend @filter(has(bio)) { email } } }`,
  `{ q(func: has(email)) @cascade(bio) { email bio age } }`,
  `{ q(func: uid({{a0}})) { email friend @cascade { email bio } } }`,
  `{ q(func: uid(${OZU})) @cascade { name@en director.film @filter(lt(initial_release_date, "1930")) { name@ja } } }`,
  `{ q(func: has(email), first: 5) @cascade { email ~boss { email } } }`,
  `{ q(func: uid({{a0}}, {{a3}}, {{a5}})) @cascade(email, friend) { email bio friend { email } } }`,
  `{ q(func: has(email)) @cascade { email nope } }`,
  `{ q(func: has(email), first: 3, offset: 1) @cascade { email bio } }`,
  `{ q(func: uid({{a0}}, {{a1}})) { email friend (first: 1) @cascade { email bio } } }`,
  `{ q(func: has(email), first: 4) @cascade(bio) { email bio friend { email bio } } }`,
  `{ q(func: has(email)) @cascade { count(uid) bio } }`,
];

const NORMALIZE = [
  `{ q(func: uid({{a0}})) @normalize { e: email friend { fe: email } } }`,
  `{ q(func: uid({{a0}}, {{a1}})) @normalize { e: email boss { b: email } } }`,
  `{ q(func: uid({{a1}})) @normalize { email friend { email } } }`,
  `{ q(func: uid(${OZU})) @normalize { n: name@en director.film (first: 3) { f: name@en } } }`,
  `{ q(func: uid({{a0}})) @normalize { e: email friend { fe: email friend { ffe: email } } } }`,
  `{ q(func: uid({{a4}})) { email friend @normalize { fe: email b: boss { be: email } } } }`,
];

const GROUPBY = [
  `{ q(func: has(email)) @groupby(age) { count(uid) } }`,
  `{ q(func: has(email)) @groupby(active) { count(uid) } }`,
  `{ q(func: has(email)) @groupby(boss) { count(uid) } }`,
  `{ q(func: has(email)) @groupby(active, age) { count(uid) } }`,
  `{ q(func: uid({{a0}})) { friend @groupby(active) { count(uid) } } }`,
  `{ var(func: has(email)) @groupby(boss) { c as count(uid) } q(func: uid(c)) { email val(c) } }`,
  `{ q(func: has(email)) @groupby(age) { s: sum(score) } }`,
  `{ q(func: has(email)) @filter(lt(age, 22)) @groupby(age) { count(uid) } }`,
  `{ q(func: has(email)) @filter(lt(age, 25)) @groupby(active) { min(score) max(score) }}`,
  `{ q(func: has(email)) @groupby(age) { a: avg(score) } }`,
];

const RECURSE = [
  `{ q(func: uid({{a0}})) @recurse(depth: 3) { email friend } }`,
  `{ q(func: uid({{a8}})) @recurse { email boss } }`,
  `{ q(func: uid({{a0}})) @recurse(depth: 2, loop: true) { email friend } }`,
  `{ q(func: uid({{a0}})) @recurse(depth: 4) { uid ~boss } }`,
  `{ q(func: uid(${OZU})) @recurse(depth: 3) { name@en director.film directed_by } }`,
  `{ q(func: uid({{a40}})) @recurse(depth: 5) { email boss friend } }`,
  `{ q(func: uid({{a0}})) @recurse(depth: 3) { uid ~boss boss } }`,
  `{ q(func: uid({{a3}})) @recurse(depth: 4, loop: true) { email boss } }`,
  `{ q(func: uid({{a1}}, {{a2}})) @recurse(depth: 2) { email friend } }`,
];

/**
 * Shortest paths whose answer is unique: Dgraph breaks ties between equal paths by Go's map order,
 * which no two runs share.
 */
const SHORTEST = [
  `{ path as shortest(from: {{a0}}, to: {{a5}}) { friend } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a40}}, to: {{a0}}) { boss } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a50}}, to: {{a0}}, numpaths: 2) { boss } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a0}}, to: {{a40}}) { ~boss } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a0}}, to: {{a1}}) { friend @facets(weight) } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a0}}, to: {{a0}}) { friend } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a5}}, to: {{a0}}) { friend } q(func: uid(path)) { email } }`,
  `{ path as shortest(from: {{a40}}, to: {{a0}}, depth: 2) { boss } q(func: uid(path)) { email } }`,
  `{ shortest(from: {{a8}}, to: {{a0}}) { boss } }`,
];

const SCHEMA_QUERIES = [
  `schema {}`,
  `schema(pred: [name, director.film, initial_release_date]) {}`,
  `schema(pred: email) { type index upsert }`,
  `schema(pred: [nope]) {}`,
  `schema(type: Person) {}`,
  `schema(type: [Team]) {}`,
  `schema(pred: [friend, boss]) { reverse count list }`,
];

/** Query variables: `vars` sent in a JSON body. */
const QUERY_VARS: Case[] = [
  {
    id: '',
    q: 'query q($e: string) { q(func: eq(email, $e)) { email age } }',
    vars: { $e: 'a5@example.com' },
  },
  {
    id: '',
    q: 'query q($a: int = 30) { q(func: eq(age, $a)) { email } }',
    vars: {},
  },
  {
    id: '',
    q: 'query q($a: int = 30) { q(func: eq(age, $a)) { email } }',
    vars: { $a: '31' },
  },
  {
    id: '',
    q: 'query q($n: int, $o: int) { q(func: has(email), first: $n, offset: $o) { uid } }',
    vars: { $n: '3', $o: '2' },
  },
  {
    id: '',
    q: 'query q($t: string = "person a7") { q(func: allofterms(name, $t)) { email } }',
    vars: {},
  },
  {
    id: '',
    q: 'query q($u: string) { q(func: uid($u)) { email } }',
    vars: { $u: '{{a4}}' },
  },
  {
    id: '',
    q: 'query q($d: string = "1929") { q(func: eq(initial_release_date, $d)) { count(uid) } }',
    vars: {},
  },
  { id: '', q: 'query q($e: string!) { q(func: eq(email, $e)) { email } }', vars: {} },
];

const DQL_VARS = [
  `query q($a: int = 25) { q(func: eq(age, $a)) { email } }`,
  `query q($e: string = "a1@example.com", $f: string = "a2@example.com") { q(func: eq(email, [$e, $f])) { email } }`,
];

/** Bad queries: both must refuse (with Dgraph's error shape). */
const ERRORS = [
  `{ q(func: has(email)) { email `,
  `{ q(func: nosuch(email)) { email } }`,
  `{ q(func: eq(age)) { email } }`,
  `{ q(func: eq(age, "abc")) { email } }`,
  `{ q(func: le(bio, "x")) { email } }`,
  `{ q(func: anyofterms(bio, "x")) { email } }`,
  `{ q(func: regexp(bio, /x/)) { email } }`,
  `{ q(func: uid(f)) { email } }`,
  `{ var(func: has(email)) { a as age } }`,
  `{ q(func: has(email)) { val(x) } }`,
  `{ q(func: has(email)) @filter(uid_in(email, {{a0}})) { email } }`,
  `{ q(func: has(email)) @nosuch { email } }`,
  `{ q(func: has(email), first: x) { email } }`,
  `{ q(func: has(email)) { email } q(func: has(email)) { age } }`,
  `{ q(func: near(place, [1], 10)) { email } }`,
  `{ q(func: has(email)) @filter(eq(age, 1) and) { email } }`,
  `{ q(func: uid(0xzz)) { email } }`,
  `{ q(func: has(email)) @groupby() { count(uid) } }`,
  `{ q(func: has(email)) { math(1 +) } }`,
  `query q($a: int) { q(func: eq(age, $b)) { email } }`,
  `{ q(func: has(email)) { checkpwd(email, "x") } }`,
  `{ q(func: ge(count(directed_by), 1)) { uid } }`,
  `{ q(func: has(email), orderasc: place) { email } }`,
  `{ q(func: between(age, 1)) { email } }`,
  `{ q(func: match(name, "x")) { email } }`,
];

/** Generated: every comparison on every sortable predicate, at the root and in a filter. */
function generated(): string[] {
  const out: string[] = [];
  const values: [string, string[]][] = [
    ['age', ['18', '42', '77']],
    ['score', ['0.0', '61.5', '124.875']],
    ['born', ['1950-01-01', '1975-06-15T00:00:00Z', '1999']],
    ['seen', ['2024-03-10T10:15:00Z', '2024-03-28']],
    ['email', ['a1@example.com', 'b0@example.com']],
    ['nick', ['nick-0', 'nick-22']],
    ['initial_release_date', ['1931', '1999-12-31', '2016-01-01']],
  ];
  for (const [pred, vs] of values) {
    for (const v of vs) {
      for (const op of ['eq', 'le', 'lt', 'ge', 'gt'])
        out.push(`{ q(func: ${op}(${pred}, "${v}")) { count(uid) } }`);
      out.push(`{ q(func: has(email)) @filter(ge(${pred}, "${v}") or eq(active, true)) { count(uid) } }`);
    }
  }
  for (const p of [...PREDICATES, 'directed_by', 'director.film', 'initial_release_date']) {
    out.push(`{ q(func: has(${p})) { count(uid) } }`);
  }
  return out;
}

/**
 * What Dgraph refuses at run time (a language on a predicate without @lang, a value variable of a
 * list, a field both asked for and expanded) or answers oddly (expand(val(x)) of values that name
 * no predicate), next to the near misses it accepts.
 */
const REFUSALS = [
  `{ q(func: has(email), first: 2) { email@en } }`,
  `{ q(func: has(email), first: 2) { bio@. } }`,
  `{ q(func: eq(email@en, "a1@example.com")) { uid } }`,
  `{ q(func: has(email), first: 2) @filter(eq(email@de, "a1@example.com")) { uid } }`,
  `{ var(func: has(email), first: 3) { n as nick } q(func: has(email), first: 3) { x: val(n) } }`,
  `{ q(func: eq(email, "a1@example.com")) { name expand(_all_) } }`,
  `{ q(func: eq(email, "a1@example.com")) { name@en expand(_all_) } }`,
  `{ q(func: eq(email, "a1@example.com")) { friend @filter(has(name)) { uid } expand(_all_) } }`,
  `{ var(func: eq(email, "a1@example.com")) { p as email } q(func: eq(email, "a1@example.com")) { expand(val(p)) } }`,
  `{ q(func: has(email), first: 2, orderasc: name@en) { name } }`,
];

/** Facets on reverse edges (the forward edge's) and on lists of values (after the mutations). */
const FACETS_MORE = [
  `{ q(func: uid({{a5}}, {{a6}})) { ~friend @facets { uid } } }`,
  `{ q(func: uid({{a5}})) { ~friend @facets(close, w: weight) { name } } }`,
  `{ q(func: uid({{a5}})) { ~friend @facets(eq(close, true)) { uid } } }`,
  `{ q(func: uid({{a5}})) { count(~friend) ~friend @facets(gt(weight, 0.3)) @facets(note) { uid } } }`,
  `{ q(func: uid({{a4}})) { nick @facets } }`,
  `{ q(func: uid({{a4}})) { nick @facets(k) } }`,
  `{ q(func: uid({{a4}})) { nick @facets(eq(k, 2)) @facets(kk: k, s) } }`,
  `{ q(func: uid({{a4}})) { nick @facets(eq(k, 9)) } }`,
  `{ q(func: uid({{a5}})) { ~friend @facets(w as weight) { uid } } r(func: uid(w)) { uid val(w) } }`,
  `{ q(func: uid({{a4}})) { nick @facets(v as k) } r(func: uid({{a4}})) { val(v) } }`,
];
const FACETS_MORE_ORDERED = [`{ q(func: uid({{a5}})) { ~friend @facets(orderdesc: weight) { uid } } }`];

function cases(feature: string, qs: string[], ordered = false): Case[] {
  return qs.map((q, i) => ({ id: `${feature}/${i + 1}`, q, ...(ordered ? { ordered } : {}) }));
}

/** Every case of the corpus. */
export const CORPUS: readonly Case[] = [
  ...cases(
    'interop',
    QUERIES.map((q) => q.replaceAll('{{uid}}', '{{a0}}')),
  ),
  ...cases(
    'interop-ordered',
    ORDERED_QUERIES.map((q) => q.replaceAll('{{uid}}', '{{a0}}')),
    true,
  ),
  ...cases('language', LANGUAGE),
  ...cases('language-ordered', LANGUAGE_ORDERED, true),
  ...cases('pagination', PAGINATION, true),
  ...cases('ordering', ORDERING, true),
  ...cases('filter', FILTERS),
  ...cases('root', ROOT),
  ...cases('nesting', NESTING),
  ...cases('facets', FACETS),
  ...cases('facets-ordered', FACETS_ORDERED, true),
  ...cases('variables', VARIABLES),
  ...cases('variables-ordered', VARIABLES_ORDERED, true),
  ...cases('cascade', CASCADE),
  ...cases('normalize', NORMALIZE),
  ...cases('groupby', GROUPBY),
  ...cases('recurse', RECURSE),
  ...cases('shortest', SHORTEST, true),
  ...cases('schema', SCHEMA_QUERIES),
  ...QUERY_VARS.map((c, i) => ({ ...c, id: `query-vars/${i + 1}` })),
  ...cases('dql-vars', DQL_VARS),
  ...cases('errors', ERRORS),
  ...cases('refusals', REFUSALS),
  ...cases('facets-more', FACETS_MORE),
  ...cases('facets-more-ordered', FACETS_MORE_ORDERED, true),
  ...cases('generated', generated()),
];
