"""Search text analysis (issue 14, GUIDE §5): the same words written the way real people write them are found;
different words are not; bad queries get a clear field error; snippets show the text as written, escaped."""
import pytest

from chalicelib.domain.search_text import (
    MAX_QUERY_LENGTH, Phrase, SearchQuery, Token, analyse, fold, index_terms, matches, parse_query, snippet,
    token_terms, tokens, variants,
)
from chalicelib.errors import Invalid


# ------------------------------------------------------------------------------------------------------ fold

@pytest.mark.parametrize("written,folded", [
    ("علي", "علی"), ("مصطفى", "مصطفی"), ("ے", "ی"),                 # Arabic yeh, alef maksura, yeh barree
    ("كتاب", "کتاب"),                                                # Arabic kaf -> keheh
    ("خانۀ", "خانه"), ("ە", "ه"), ("ہ", "ه"), ("ھ", "ه"), ("ۃ", "ه"), ("مدرسة", "مدرسه"),  # heh variants
    ("آب", "اب"), ("أحمد", "احمد"), ("إيران", "ایران"), ("ٱلله", "الله"),  # alef variants
    ("كـــتاب", "کتاب"),                                              # tatweel
    ("مُحَمَّدٌ", "محمد"),                                             # harakat U+064B-U+0652
    ("ه\u0654", "ه"), ("مسئول", "مسیول"), ("مؤسسه", "موسسه"),          # hamza above
    ("שָׁלוֹם", "שלומ"), ("בְּרֵאשִׁ֖ית", "בראשית"),                   # Hebrew points and cantillation
    ("בית־ספר", "בית־ספר"), ("א׀ב", "א׀ב"), ("א׃", "א׃"),             # maqaf, paseq, sof pasuq stay
    ("ך", "כ"), ("ם", "מ"), ("ן", "נ"), ("ף", "פ"), ("ץ", "צ"),      # Hebrew final letters
    ("۰۱۲۳۴۵۶۷۸۹", "0123456789"), ("٠١٢٣٤٥٦٧٨٩", "0123456789"),      # digits of every script
    ("１２３", "123"), ("߁߂", "12"),
    ("می\u200cخواهم", "میخواهم"), ("a\u200db", "ab"),                  # ZWNJ / ZWJ joined
    ("\u200fשלום\u200e", "שלומ"), ("in\u00advoice", "invoice"),         # direction marks, soft hyphen
    ("Printer", "printer"), ("STRASSE", "strasse"), ("Straße", "strasse"),  # case
    ("Café", "cafe"), ("naïve", "naive"), ("Ångström", "angstrom"),      # Latin accents
    ("ﻻ", "لا"), ("ﬁle", "file"), ("ＡＢＣ", "abc"),                    # compatibility forms (NFKC)
])
def test_fold_makes_spellings_people_consider_the_same_equal(written, folded):
    assert fold(written) == folded


def test_fold_keeps_different_words_different():
    assert fold("کتاب") != fold("کتب")
    assert fold("שלום") != fold("שלם")
    assert fold("गा") != fold("ग")  # marks of other scripts are letters' vowels, not accents


def test_fold_agrees_with_python_digits():
    assert int(fold("۱۲۳")) == int("۱۲۳") == 123


def test_fold_is_idempotent_for_every_character_and_common_mixtures():
    for cp in range(0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        once = fold(chr(cp))
        assert fold(once) == once, hex(cp)
    for text in ("İstanbul ǅ ΣΑΣ ﷺ ﷽", "שָׁלוֹם ﬠ ﭏ", "آأإؤئ ۀ ة ی\u200cها", "A\u0301\u0327 ㈜ ①"):
        assert fold(fold(text)) == fold(text)


# ---------------------------------------------------------------------------------------------------- tokens

@pytest.mark.parametrize("text,words", [
    ("Printer doesn't print", ["Printer", "doesn", "t", "print"]),
    ("چاپگر HP LaserJet کار نمی‌کند", ["چاپگر", "HP", "LaserJet", "کار", "نمی‌کند"]),   # ZWNJ: one word
    ("המדפסת של Canon לא עובדת", ["המדפסת", "של", "Canon", "לא", "עובדת"]),
    ("iPhone15 و iPhoneها", ["iPhone", "15", "و", "iPhone", "ها"]),            # script and digit changes
    ("בiPhone ב-Galaxy", ["ב", "iPhone", "ב", "Galaxy"]),                        # Hebrew prefix on a Latin word
    ("سفارش۱۲۳ رسید", ["سفارش", "۱۲۳", "رسید"]),
    ('צה"ל ו-צה״ל', ['צה"ל', "ו", "צה״ל"]),                                     # gershayim inside a word
    ("#A-20931, user@example.com", ["A", "20931", "user", "example", "com"]),
    ("שָׁלוֹם كـتاب", ["שָׁלוֹם", "كـتاب"]),                                      # points and tatweel stay inside
])
def test_tokens_are_the_words_as_written_with_offsets(text, words):
    found = tokens(text)
    assert [text[t.start:t.end] for t in found] == words
    assert [t.term for t in found] == [fold(w).replace('"', "").replace("״", "") for w in words]
    assert token_terms(text) == [t.term for t in found]


def test_tokens_offsets_are_into_the_original_text_after_any_whitespace():
    text = "  سلام\n\tدنیا  "
    assert tokens(text) == [Token("سلام", 2, 6), Token("دنیا", 8, 12)]


# ------------------------------------------------------------------------------------------- what is found

FOUND = [
    # Hebrew prefix letters, one or two
    ("ובחשבון שלי יש חיוב כפול", "חשבון"),
    ("בחשבון", "חשבון"), ("והחשבונית", "חשבונית"), ("שבמשלוח", "משלוח"), ("למשלוח", "משלוח"),
    ("חשבון", "בחשבון"),                               # typed with a prefix, written bare
    ("החשבונות", "חשבונות"),
    # Hebrew plurals
    ("ההזמנות שלי לא הגיעו", "הזמנה"), ("ההזמנה שלי", "הזמנות"), ("כל המוצרים", "מוצר"), ("החשבונות", "חשבון"),
    # Hebrew final letters typed as regular ones and back
    ("שלום", "שלומ"), ("המלך", "מלכ"),
    # Persian plural suffixes, joined, with ZWNJ, with a space
    ("کتابها رسید", "کتاب"), ("کتاب‌ها رسید", "کتاب"), ("کتاب ها رسید", "کتاب"),
    ("فاکتورهای من", "فاکتور"), ("فاکتور‌های من", "فاکتور"), ("سفارش‌هایی که", "سفارش"),
    ("کتاب", "کتاب‌ها"), ("کتاب", "کتابها"),
    ("کاربران سایت", "کاربر"), ("مشکلات پرداخت", "مشکل"), ("نمایندگان فروش", "نماینده"),
    ("سفارشتان ارسال شد", "سفارش"), ("حسابم مسدود شده", "حساب"), ("حساب من", "حسابم"),
    # ZWNJ compounds in every spelling
    ("می‌خواهم", "میخواهم"), ("میخواهم", "می‌خواهم"), ("می خواهم", "میخواهم"), ("می خواهم", "می‌خواهم"),
    ("میخواهم", "می خواهم"), ("می‌خواهم", "خواهم"), ("نمی‌کند", "نمیکند"), ("نمی کند", "نمی‌کند"),
    ("کتاب‌خانه", "کتابخانه"), ("کتابخانه", "کتاب‌خانه"), ("کتابخانه", "کتاب خانه"), ("کتاب‌خانه", "کتاب خانه"),
    ("کتاب خانه", "کتاب‌خانه"), ("بی سیم", "بی‌سیم"), ("بیسیم", "بی سیم"),
    # Arabic / Persian letter variants and marks
    ("علي", "علی"), ("علی", "علي"), ("كتاب", "کتاب"), ("مدرسة", "مدرسه"), ("أحمد", "احمد"), ("مُحَمَّد", "محمد"),
    ("مسئول", "مسئول"), ("آدرس", "ادرس"), ("ادرس", "آدرس"), ("كـــتاب", "کتاب"),
    # Arabic article
    ("الكتاب", "كتاب"), ("والكتاب", "کتاب"), ("بالفاتورة", "فاتوره"),
    # digits in any script
    ("سفارش ۱۲۳۴۵", "12345"), ("order 12345", "۱۲۳۴۵"), ("رقم ١٢٣٤٥", "12345"), ("הזמנה 12345", "١٢٣٤٥"),
    # codes: as typed, without punctuation, by their digits
    ("Order #A-20931 is late", "#A-20931"), ("Order #A-20931 is late", "A20931"),
    ("Order #A-20931 is late", "a-20931"), ("Order #A-20931 is late", "20931"), ("Order A20931", "#A-20931"),
    ("کد پیگیری A-۲۰۹۳۱", "A-20931"), ("ref INV/2024/0042", "INV/2024/0042"), ("ref INV/2024/0042", "0042"),
    ("ref INV/2024/0042", "inv2024"),
    # phone numbers in local and E.164 forms, any separators and digits
    ("call me 0912 123 4567", "+989121234567"), ("call me 0912-123-4567", "09121234567"),
    ("شماره ۰۹۱۲۱۲۳۴۵۶۷", "+98 912 123 4567"), ("+989121234567", "0912 123 4567"),
    ("+98 912 123 4567", "9121234567"), ("0098 912 123 4567", "09121234567"),
    ("טלפון 054-555-1234", "+972545551234"), ("+972 54 555 1234", "0545551234"),
    ("tel (021) 8888-7777", "02188887777"),
    # mixed script, glued
    ("گوشی iPhone15 من", "iphone"), ("گوشی iPhone15 من", "iPhone 15"), ("iPhone 15", "iphone15"),
    ("مشکل با iPhoneها", "iPhone"), ("בעיה בiPhone", "iphone"), ("ב-iPhone", "iPhone"),
    ("سفارش۱۲۳ رسید", "سفارش"), ("سفارش۱۲۳ رسید", "۱۲۳"),
    # compounds and addresses
    ("my e-mail bounced", "email"), ("login fails", "log in"), ("write to ali.rezaei@mail.example.com", "example.com"),
    ("write to ali.rezaei@mail.example.com", "ali.rezaei@mail.example.com"), ("invoice_2024.pdf", "invoice"),
    ("invoice_2024.pdf", "invoice_2024.pdf"), ('ראיתי את צה"ל', "צה״ל"), ('ראיתי את צה״ל', 'צה"ל'),
    ("בית־ספר", "בית ספר"),
    # Latin case, accents, plurals
    ("The PRINTERS are down", "printer"), ("printer down", "printers"), ("café", "cafe"), ("Müller", "muller"),
    ("batteries", "battery"), ("boxes", "box"), ("I was charged twice", "charge"), ("refund it", "refunded"),
    ("the refunding failed", "refund"), ("payment stopped", "stop"),
    # words in any order, phrases in order
    ("paper jam in the printer", "printer paper"), ("paper jam in the printer", '"paper jam"'),
    ("paper jam in the printer", "printer -toner"), ('«درخواست بازپرداخت» ثبت شد', '"درخواست بازپرداخت"'),
]

NOT_FOUND = [
    ("paper jam in the printer", "printer toner"),                 # every word is required
    ("paper jam in the printer", '"jam paper"'),                    # a phrase is in order
    ("the printer and the toner", "printer -toner"),               # an excluded word
    ("the printer and the toner", 'printer -"and the toner"'),
    ("חשבון", "שבון"), ("תשלום", "שלום"),                           # only prefix letters are stripped
    ("משלוח", "לוח"),                                                # מש is no pair of prefix letters
    ("שלי", "לי"), ("בית", "ית"),                                    # a short rest is not a word
    ("کتاب", "کتب"), ("خانه", "کتاب‌خانه"),                         # one part is not the compound
    ("تنها", "تن"),                                                    # a short rest is not a plural's word
    ("Order #A-20931", "20932"), ("Order #A-20931", "B-20931"),
    ("call me 0912 123 4567", "0912 123 4568"),
    ("شماره ۱۲۳", "۱۲۴"),
    ("iPhone 15", "iphone16"),
]


@pytest.mark.parametrize("text,query", FOUND)
def test_people_find_the_text_however_they_write_the_words(text, query):
    assert matches(text, query + " "), (index_terms(text), parse_query(query + " "))


TYPING = [  # the last word is a prefix while typing (no space after it yet)
    ("the printer is jammed", "printer ja"), ("ההזמנה שלי", "הזמ"), ("سفارش من", "سفا"), ("کتاب‌خانه", "کتاب‌خا"),
    ("کتابخانه", "کتابخ"), ("order #A-20931", "A-209"), ("הזמנה מספר 5", "הזמנ"),  # final nun typed mid-word
    ("ההזמנות שלי", "הזמנות"), ("call 0912 123 4567", "0912 123 4567"),
]


@pytest.mark.parametrize("text,query", TYPING)
def test_the_last_word_is_found_by_its_beginning_while_typing(text, query):
    assert matches(text, query), (index_terms(text), parse_query(query))
    assert not matches("something else entirely", query)


@pytest.mark.parametrize("text,query", NOT_FOUND)
def test_other_words_are_not_found(text, query):
    assert not matches(text, query + " "), (index_terms(text), parse_query(query + " "))


@pytest.mark.parametrize("text", [
    "ובחשבון", "کتاب‌ها", "Order #A-20931 is late, call +98 912 123 4567", "user@example.com iPhone 15 می خواهم",
])
def test_index_terms_start_with_the_words_in_order_and_hold_only_letters_and_digits(text):
    terms = index_terms(text)
    assert terms[:len(tokens(text))] == token_terms(text)
    assert all(term.isalnum() for term in terms), terms


def test_variants_mind_short_words():
    assert "חשבונ" in variants("ובחשבונ") and "בחשבונ" in variants("ובחשבונ")
    assert variants("שלי") == () and variants("בית") == ()   # a prefix letter leaves at least three letters
    assert variants("تنها") == ()                             # ها leaves at least three letters
    assert variants("is") == () and variants("bus") == () and variants("class") == ()


def test_a_long_word_and_a_long_number_are_not_joined_across_a_space():
    """Only affixes and short model numbers are indexed joined: the vocabulary must not grow by every pair."""
    assert "سلامدنیا" not in index_terms("سلام دنیا")
    assert "order12345" not in index_terms("order 12345")
    assert "کتابها" in index_terms("کتاب ها") and "iphone15" in index_terms("iPhone 15")


# ----------------------------------------------------------------------------------------------------- query

def test_plain_words_are_all_required_each_with_its_alternatives():
    q = parse_query("ובחשבון کتاب‌ها ")
    assert [w.terms[0] for w in q.words] == ["ובחשבונ", "کتاب"]  # ها is a stop word once split off
    assert "חשבונ" in q.words[0].terms
    assert "کتابها" in q.words[1].terms
    assert not any(w.prefix for w in q.words)


def test_the_last_word_is_a_prefix_only_while_typing():
    assert parse_query("printer ja").words[-1].prefix
    assert not parse_query("printer ja ").words[-1].prefix
    assert not any(w.prefix for w in parse_query('printer "paper jam"').words)


def test_phrases_and_exclusions():
    q = parse_query('printer "paper jam" -toner -"out of order"')
    assert [w.text for w in q.words] == ["printer"]
    assert q.phrases == (Phrase("paper jam", ("paper", "jam")),)
    assert [w.terms[0] for w in q.excluded] == ["toner"]
    assert q.excluded_phrases == (Phrase("out of order", ("out", "of", "order")),)


@pytest.mark.parametrize("q,number", [("123", 123), ("#123", 123), ("۱۲۳", 123), ("# ١٢٣", 123), (" #1005 ", 1005)])
def test_a_ticket_number_alone_is_a_number_and_a_word(q, number):
    parsed = parse_query(q)
    assert parsed.number == number
    assert str(number) in parsed.words[0].terms


def test_a_phone_number_typed_whole_is_found_in_its_other_forms():
    q = parse_query("۰۹۱۲۱۲۳۴۵۶۷")
    assert {"09121234567", "989121234567", "9121234567"} <= set(q.words[0].terms)
    assert matches("call +98 912 123 4567", q)


def test_a_number_among_words_is_only_a_word():
    assert parse_query("order 123").number is None


def test_stop_words_are_dropped_but_phrases_keep_them():
    assert [w.terms[0] for w in parse_query("the printer of mine ").words] == ["printer", "mine"]
    assert parse_query('"to be or not to be"').phrases[0].terms == ("to", "be", "or", "not", "to", "be")


def test_a_blank_query_is_the_list_by_filters():
    assert parse_query("").is_empty and parse_query("   ").is_empty and parse_query(None).is_empty


@pytest.mark.parametrize("q,code", [
    ("x" * (MAX_QUERY_LENGTH + 1), "too_long"),
    ("printer " * 2000, "too_long"),                       # 10 kB of text
    ("printer\x00", "invalid_character"), ("printer\x1b[31m", "invalid_character"),
    ("invoice\u202efdp.exe", "invalid_character"),
    ("!!! ???", "no_words"), ("-", "no_words"), ('""', "no_words"), ("«»", "no_words"), ("#", "no_words"),
    ("the of and", "only_stop_words"), ("the", "only_stop_words"), ("و در به", "only_stop_words"),
    ("של את", "only_stop_words"), ("-printer", "only_excluded"), ('-"paper jam"', "only_excluded"),
    (" ".join(f"w{i}" for i in range(40)), "too_many_words"),
])
def test_bad_queries_name_the_field_with_a_clear_code(q, code):
    with pytest.raises(Invalid) as caught:
        parse_query(q)
    assert caught.value.fields == {"q": code}


@pytest.mark.parametrize("q", [
    '"paper jam', 'paper" jam', '"""', "printer\tjam\nnow", 'צה"ל', '"צה"ל בצפון"', "a-b-c", "--x y", "+", "##12a",
    "\u200c", "ـــ", "٫", "-\u200c", "x" * MAX_QUERY_LENGTH,
])
def test_odd_queries_are_answered_or_refused_clearly_never_with_another_error(q):
    try:
        parsed = parse_query(q)
    except Invalid as exc:
        assert list(exc.fields) == ["q"]
    else:
        assert isinstance(parsed, SearchQuery)


def test_an_unclosed_quote_runs_to_the_end():
    assert parse_query('printer "paper jam').phrases == (Phrase("paper jam", ("paper", "jam")),)


def test_a_gershayim_typed_as_a_quote_is_part_of_the_hebrew_word():
    q = parse_query('"צה"ל בצפון"')
    assert q.phrases[0].terms == ("צהל", "בצפונ")


def test_a_phone_number_typed_with_spaces_is_one_word():
    (word,) = parse_query("0912 123 4567 ").words
    assert {"989121234567", "09121234567", "9121234567"} <= set(word.terms)


# --------------------------------------------------------------------------------------------------- snippet

def test_snippet_escapes_user_markup_and_marks_matches():
    text = 'Hello <script>alert("x")</script> my printer is <b>broken</b>'
    out = snippet(text, parse_query("printer "))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out
    assert "<mark>printer</mark>" in out
    assert out.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_marks_the_word_as_written_around_the_best_match():
    text = ("lorem ipsum " * 30) + "در ادامه، کتاب‌های سفارش داده شده هنوز نرسیده‌اند" + (" dolor sit" * 30)
    out = snippet(text, parse_query("کتاب سفارش "), width=80)
    assert "<mark>کتاب‌های</mark>" in out and "<mark>سفارش</mark>" in out
    assert out.startswith("\u2026") and out.endswith("\u2026")
    assert len(out.replace("<mark>", "").replace("</mark>", "")) <= 80 + 2


def test_snippet_marks_phrases_prefixes_codes_and_phones():
    text = "Paper jam again. Order #A-20931, call 0912 123 4567."
    assert "<mark>Paper jam</mark>" in snippet(text, parse_query('"paper jam"'))
    assert "<mark>Pap</mark>" not in snippet(text, parse_query("pap"))
    assert "<mark>Paper</mark>" in snippet(text, parse_query("pap"))
    assert "<mark>A-20931</mark>" in snippet(text, parse_query("a20931 "))
    assert "<mark>0912 123 4567</mark>" in snippet(text, parse_query("+989121234567 "))


def test_snippet_without_a_match_is_the_start_of_the_text_and_never_cuts_mid_word():
    text = "alpha beta gamma delta " * 20
    out = snippet(text, parse_query("zeta "), width=50)
    assert out.startswith("alpha beta") and out.endswith("\u2026")
    assert out[:-1].rstrip().split(" ")[-1] in {"alpha", "beta", "gamma", "delta"}


def test_snippet_collapses_line_breaks():
    assert snippet("first line\n\nsecond <line>", parse_query("second ")) == \
        "first line <mark>second</mark> &lt;line&gt;"


def test_analyse_gives_every_index_term_with_the_span_it_stands_for():
    text = "ובחשבון #A-20931 call 0912 123 4567"
    spans = analyse(text)
    assert sorted(term for term, _, _ in spans) == sorted(index_terms(text))
    assert ("חשבונ", 0, 7) in spans
    assert ("a20931", 9, 16) in spans                      # the compound spans its words
    assert ("989121234567", 22, 35) in spans               # the phone number spans its groups
