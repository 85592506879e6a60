"""The best first call: what a frightened person meets first (data/needs.yaml, search/needs.py)."""

from __future__ import annotations

import pytest

from search.catalog import Catalog
from search.model import Query, Resource, Results
from search.sqlite_engine import SqliteEngine


def search(engine: SqliteEngine, q: str) -> Results:
    return engine.search(Query(q=q, limit=10))


def callable_line(catalog: Catalog, r: Resource) -> bool:
    """A service where a person answers (data/kinds.yaml, as the catalog reads it) on a number
    that is not SMS only."""
    return r.kind in catalog.kinds.human and any(p.type != "sms" for p in r.phones)


def top(res: Results, n: int = 3) -> list[str]:
    return [h.resource.id for h in res.results[:n]]


@pytest.mark.parametrize(
    "q",
    ["텔레그램에 내 합성사진", "몸캠 협박", "사진 지워주세요", "someone threatens to post my pics", "아들이 몸캠피싱",
     "우리 딸 사진이 텔레그램에", "친구들이 내 사진 합성해서 뿌렸어", "my nudes were leaked", "딥페이크 당했어요"],
)  # fmt: skip
def test_a_victim_meets_a_human_line_in_the_first_two(engine: SqliteEngine, catalog: Catalog, q: str) -> None:
    res = search(engine, q)
    assert any(callable_line(catalog, h.resource) for h in res.results[:2]), top(res)


def test_a_named_platform_has_its_own_route_right_after_the_first_line(
    engine: SqliteEngine, catalog: Catalog
) -> None:
    res = search(engine, "텔레그램에 내 합성사진")
    assert callable_line(catalog, res.results[0].resource) and res.results[1].resource.id == "telegram-report"
    assert "youtube-privacy-complaint" in top(search(engine, "유튜브 합성영상 삭제요청"), 2)


@pytest.mark.parametrize(
    "q", ["몸캠 협박", "someone threatens me", "우리 딸 사진이 텔레그램에", "사진 지워주세요"]
)
def test_an_unnamed_platform_form_is_never_first(engine: SqliteEngine, q: str) -> None:
    res = search(engine, q)
    first = res.results[0].resource
    assert first.kind != "platform-report" or first.platform == "telegram", top(res)


@pytest.mark.parametrize(
    "q", ["몸캠", "아들이 몸캠피싱", "사진 지워주세요", "내 사진 유포", "deepfake of me"]
)
def test_services_abroad_are_not_the_default(engine: SqliteEngine, q: str) -> None:
    abroad = {"ncmec-cybertipline", "esafety-image-based-abuse", "stopncii", "take-it-down"}
    assert not set(top(search(engine, q))) & abroad


def test_a_service_abroad_the_query_asks_for_says_why(engine: SqliteEngine) -> None:
    res = search(engine, "해외 사이트에 올라간 사진 stopncii")
    hit = next(h for h in res.results if h.resource.id == "stopncii")
    assert hit.why and "해외" in hit.why.ko


@pytest.mark.parametrize(
    "q",
    [
        "중딩인데 딥페이크 당했어요",
        "im 15 and someone made fake nudes of me",
        "고딩 합성사진",
        "15살 사진 유포",
    ],
)
def test_minors_get_minors_routes_first_never_an_adult_only_tool(engine: SqliteEngine, q: str) -> None:
    res = search(engine, q)
    assert top(res, 1)[0] in {"youth-1388", "school-violence-117", "d4u-central"}, top(res)
    assert "stopncii" not in top(res)


def test_the_matching_nationwide_line_beats_a_regions_other_services(engine: SqliteEngine) -> None:
    assert top(search(engine, "free lawyer busan"), 1) == ["klac-132"]


def test_a_word_in_a_name_does_not_decide_a_generic_search(engine: SqliteEngine) -> None:
    assert top(search(engine, "상담"), 1) != ["teachers-1395"]
    assert "teachers-1395" in top(search(engine, "선생님인데 학생이 내 딥페이크를 만들었어요"))


@pytest.mark.parametrize(
    "q", ["Tôi bị tống tiền bằng ảnh", "我的照片被合成了", "меня шантажируют фото", "写真をばらまかれた"]
)
def test_other_languages_meet_the_lines_that_speak_them(engine: SqliteEngine, q: str) -> None:
    res = search(engine, q)
    assert top(res, 1) == ["danuri-1577-1366"]
    assert res.understood and res.understood["other_language"] is True


def test_every_first_result_says_why(engine: SqliteEngine) -> None:
    for q in ["텔레그램에 내 합성사진", "부산 변호사", "몸캠 협박"]:
        res = search(engine, q)
        assert res.results[0].why is not None, q
    why = search(engine, "텔레그램에 내 합성사진").results[1].why
    assert why and why.ko == "텔레그램 공식 신고"


def test_a_named_service_or_number_stays_first(engine: SqliteEngine) -> None:
    assert top(search(engine, "1366"), 1) == ["women-1366"]
    assert top(search(engine, "방송통신심의위원회 신고"), 1) == ["kcsc-1377"]
    assert top(search(engine, "범피센터"), 1) == ["crime-victim-support-centers"]


@pytest.mark.parametrize(
    "q", ["죽고싶어요", "사진 퍼져서 죽고 싶어", "i want to die my nudes leaked", "자살하고 싶어요"]
)
def test_thoughts_of_suicide_meet_the_crisis_lines_first(engine: SqliteEngine, q: str) -> None:
    assert top(search(engine, q), 1)[0] in {"suicide-prevention-109", "mental-health-crisis-1577-0199"}


# -- issue 29: the danger ladder, the need buttons, her language and her place -----------------
# Queries written as a person in crisis, a person pressing a button, a migrant worker and a
# person naming her town would write them.


def first_ids(engine: SqliteEngine, q: str, n: int = 1, **params: object) -> list[str]:
    return top(engine.search(Query(q=q, limit=10, **params)), n)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "q",
    [
        "누가 계속 따라와요",
        "지금 집앞에 와있대요 무서워",
        "someone is following me",
        "tkffuwntpdy",
        "he is at my door",
        # Issue 29, second round, from the personas: a woman at her door at night, stalked now.
        "지금 집에 누가 들어오려고 해요",
        "문 두드려요 무서워",
        "he found my address and is coming",
        "스토킹 당하고 있어요 지금",
    ],
)
def test_immediate_danger_gets_112_first(engine: SqliteEngine, q: str) -> None:
    res = engine.search(Query(q=q, limit=5))
    assert res.danger == "immediate" and top(res, 1) == ["police-112"], top(res)


@pytest.mark.parametrize(
    "q",
    ["죽고싶어요", "그냥 다 끝내고 싶다", "살기싫어 사진 다 퍼졌어", "합성사진 때문에 죽고십다", "wnrrhtlvek",
     "i want to die", "자해했어요", "옥상 올라왔어", "한강다리 가는 중",
     # Wished, not done: a thought of self-harm, not an injury yet. 자살 in initials, as typed in chat.
     "손목 긋고 싶다", "ㅈㅅ할까 진짜", "그냥 ㅈㅅ각"],
)  # fmt: skip
def test_thoughts_of_suicide_get_109_then_the_crisis_lines(engine: SqliteEngine, q: str) -> None:
    res = engine.search(Query(q=q, limit=5))
    assert res.danger == "suicide"
    assert top(res, 3) == ["suicide-prevention-109", "mental-health-crisis-1577-0199", "women-1366"], top(res)


@pytest.mark.parametrize(
    "q", ["약을 한꺼번에 먹었어요", "피가 안 멈춰요", "took too many pills", "손목 그었어"]
)
def test_an_overdose_or_an_injury_reaches_the_medical_rung(engine: SqliteEngine, q: str) -> None:
    res = engine.search(Query(q=q, limit=5))
    assert res.danger == "medical"
    # 119 first where the directory has it; the suicide line answers right after it either way.
    assert top(res, 1) == ["emergency-119"], top(res)


@pytest.mark.parametrize(
    "q",
    [
        "스쿨위드유 서울",
        "스쿨미투 신고",
        "남성 피해자 해바라기센터",
        "응급피임약 먹었어요",
        "칼로리 계산",
        "전남편이 영상 유포",
        "ㅈㅅ 늦게 답해서",  # ㅈㅅ alone is chat shorthand for 죄송 (sorry)
    ],
)
def test_words_that_only_look_like_danger_are_not(engine: SqliteEngine, q: str) -> None:
    assert engine.search(Query(q=q, limit=5)).danger is None


def test_the_danger_ladder_beats_takedown_and_counselling(engine: SqliteEngine) -> None:
    assert first_ids(engine, "딥페이크 삭제 해주세요 죽고싶어") == ["suicide-prevention-109"]
    assert first_ids(engine, "몸캠 협박범이 집앞까지 찾아왔어요") == ["police-112"]


@pytest.mark.parametrize(
    ("need", "filters", "first"),
    [
        ("minor", {"audience": ["minors"]}, {"youth-1388"}),
        ("police", {"topic": ["reporting"]}, {"d4u-central", "police-182", "police-112"}),
        ("removal", {"topic": ["takedown"]}, {"d4u-central"}),
        ("talk", {"topic": ["counselling"]}, {"women-1366"}),
        ("legal", {"topic": ["legal"], "cost": ["free"]}, {"klac-132"}),
    ],
)
def test_a_need_button_is_ranked_like_a_typed_query(
    engine: SqliteEngine, need: str, filters: dict[str, list[str]], first: set[str]
) -> None:
    listed = first_ids(engine, "", 3, **filters)
    ranked = first_ids(engine, "", 3, need=need, **filters)
    assert ranked[0] in first, ranked
    # The suicide lines do not lead a button that is not about them.
    assert "suicide-prevention-109" not in ranked[:2] or "suicide-prevention-109" in listed[:0]


@pytest.mark.parametrize(
    "q",
    ["toi bi quay phim len mang", "tôi cần giúp đỡ", "kailangan ko ng tulong", "saya butuh bantuan",
     "помогите", "tuslamj heregtei", "yordam kerak", "ช่วยด้วย", "मलाई मद्दत चाहियो", "ខ្ញុំត្រូវការជំនួយ"],
)  # fmt: skip
def test_a_line_that_speaks_her_language_is_first(engine: SqliteEngine, q: str) -> None:
    res = engine.search(Query(q=q, limit=5))
    first = res.results[0].resource
    lang = (res.understood or {}).get("language")
    # Danuri speaks most of them; Indonesian no line lists, and Danuri is the migrants' line.
    assert lang and lang != "en" and first.id == "danuri-1577-1366", (lang, top(res))
    assert lang in first.languages or lang == "id"


def test_112_interprets_chinese_and_english_so_it_follows_danuri(engine: SqliteEngine) -> None:
    assert set(first_ids(engine, "我的照片被传播了", 2)) == {"danuri-1577-1366", "police-112"}


def test_her_towns_service_comes_before_the_national_lines(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="김해 성폭력 상담", limit=10))
    first = res.results[0].resource
    assert "KR" not in first.regions and first.district == "김해시", top(res)
    assert res.locality and res.locality.district == "김해시" and res.locality.in_district >= 1


def test_with_nothing_in_her_district_the_page_names_the_nearest(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="울릉 성폭력 상담", limit=10))
    assert res.locality and res.locality.in_district == 0
    nearest = engine.get(res.locality.nearest_id or "")
    assert nearest and nearest.district == res.locality.nearest_district and "KR-47" in nearest.regions


# -- Issue 29, second round: written from the personas (a migrant worker typing on her phone, a
# pupil who does not want her school told, a student abroad; her door: see the 112 test above).


def test_a_whole_bottle_of_pills_is_an_overdose(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="약 한통 다 먹음", limit=5))
    assert res.danger == "medical" and top(res, 1) == ["emergency-119"], top(res)


@pytest.mark.parametrize(
    ("q", "lang"),
    [("toi bi tong tien bang video", "vi"), ("can giup do bi quay phim", "vi"),
     ("meni qo'rqitishyapti", "uz"), ("saya diancam video saya akan disebar", "id")],
)  # fmt: skip
def test_vietnamese_without_diacritics_uzbek_and_indonesian_reach_danuri(
    engine: SqliteEngine, q: str, lang: str
) -> None:
    res = engine.search(Query(q=q, limit=5))
    assert (res.understood or {}).get("language") == lang and top(res, 1) == ["danuri-1577-1366"], top(res)


def test_an_exchange_student_writing_english_meets_a_line_that_speaks_it_not_the_youth_line(
    engine: SqliteEngine,
) -> None:
    res = engine.search(Query(q="exchange student someone made a deepfake of me", limit=5))
    assert "en" in res.results[0].resource.languages and "youth-1388" not in top(res, 2), top(res)


def test_among_lines_that_speak_english_a_threat_meets_112_first(engine: SqliteEngine) -> None:
    assert first_ids(engine, "sextortion korea male", 1) == ["police-112"]


def test_a_pupil_who_does_not_want_her_school_told_gets_the_young_peoples_line(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="학교에 알리기싫어", limit=5))
    assert top(res, 1) == ["youth-1388"] and "school" not in (res.understood or {}).get("needs", []), top(res)


@pytest.mark.parametrize(
    ("q", "first"),
    [("일산 딥페이크 상담", "dsc-gyeonggi"), ("나 부천 사는데 딥페이크 어디 말해", "dsc-gyeonggi"),
     ("강릉 딥페이크 상담", "dsc-gangwon"), ("진주 딥페이크 상담", "dsc-gyeongnam")],
)  # fmt: skip
def test_another_citys_own_centre_does_not_come_before_the_provinces(
    engine: SqliteEngine, q: str, first: str
) -> None:
    # 성남시's, 원주's and 창원시's own digital sex crime centres serve their own cities.
    assert first_ids(engine, q, 1) == [first]


def test_a_word_for_what_was_done_is_not_a_platforms_name(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="지인능욕 당했어요", limit=5))
    assert res.results[0].resource.kind != "platform-report", top(res)


@pytest.mark.parametrize(
    "q",
    [
        "동기가 몰래 찍었어요",
        "썸남이 동의없이 찍은 영상",
        "전여친이 내 사진 올림",
        "sns에 내얼굴 야한사진 ㅠ",
    ],
)
def test_being_filmed_or_posted_without_consent_meets_the_takedown_line_first(
    engine: SqliteEngine, q: str
) -> None:
    res = engine.search(Query(q=q, limit=5))
    assert "removal" in (res.understood or {}).get("needs", []) and top(res, 1) == ["d4u-central"], top(res)


def test_a_word_is_never_corrected_into_a_place(engine: SqliteEngine) -> None:
    assert "동구" not in (engine.search(Query(q="동기가 몰래 찍었어요", limit=3)).understood or {}).get(
        "terms", []
    )
