"""UI strings in Korean and English, and choosing the visitor's language.

Every string the site shows lives here as a ``(ko, en)`` pair, so a missing translation is a
test failure rather than a blank on a frightened person's screen. Data fields (names, summaries,
caveats …) carry both languages themselves (:class:`search.model.Text`).

Language choice, in order: ``?lang=ko|en``, then the browser's ``Accept-Language``, then Korean.
No cookie remembers it: internal links carry ``lang`` instead.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Literal

from search.wording import COST_LABELS

__all__ = (
    "LANGS",
    "SAFETY_SECTIONS",
    "STRINGS",
    "Lang",
    "format_date",
    "labels",
    "language_name",
    "negotiate",
    "strings",
    "weekday_name",
)

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")


def negotiate(requested: str | None, accept_language: str | None) -> Lang:
    """The page language: an explicit ``?lang=``, else the best of ``Accept-Language``, else ko.

    >>> negotiate(None, "en-GB,en;q=0.9,ko;q=0.5")
    'en'
    >>> negotiate("xx", "fr")
    'ko'
    """
    if requested in LANGS:
        return requested
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        if weight <= 0:
            continue
        # Highest weight wins; on a tie, the earlier entry.
        candidate = (-weight, position, primary)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else "ko"


STRINGS: dict[str, tuple[str, str]] = {
    # -- every page ----------------------------------------------------------------------------
    "site_tagline": ("디지털 성범죄 피해 지원 찾기", "Find help after a digital sex crime"),
    "skip": ("본문으로 건너뛰기", "Skip to content"),
    "crisis_aria": ("긴급 연락처", "Emergency numbers"),
    "crisis_danger": ("지금 위험하면", "In danger now"),
    "crisis_help": ("24시간 상담", "24/7 help"),
    "crisis_danger_short": ("위험하면", "Danger"),
    "crisis_help_short": ("24시간", "24/7"),
    "crisis_call": ("전화 걸기", "call"),
    "exit": ("빠른 나가기", "Quick exit"),
    "exit_title": (
        "이 화면을 바로 다른 사이트로 바꿔요. Shift 키 세 번, 글자를 쓰는 칸 밖에서는 Esc 키로도 돼요.",
        "Replace this page with another site at once. Shift three times does it too, and Esc outside a text field.",
    ),
    "lang_switch": ("English", "한국어"),
    "lang_switch_label": ("언어 바꾸기", "Change language"),
    "nav_aria": ("사이트 메뉴", "Site menu"),
    "nav_home": ("처음으로", "Home"),
    "nav_safety": ("안전하게 이용하기", "Browsing safely"),
    "nav_schools": ("학교·기관용", "For schools"),
    "nav_api": ("API", "API"),
    "footer_privacy": (
        "이 사이트는 쿠키를 쓰지 않고, 검색어와 IP 주소를 기록하지 않으며, 다른 사이트에서 아무것도 불러오지 않아요.",
        "This site sets no cookies, keeps no record of your searches or IP address, and loads nothing from other sites.",
    ),
    "footer_data": (
        "모든 정보에는 출처와 확인 날짜가 있어요. 연락하기 전에 ‘알아 두세요’를 꼭 읽어 보세요.",
        "Every entry lists its sources and when they were checked. Read “Before you contact them” first.",
    ),
    "new_tab": ("새 창", "new tab"),
    # -- search form ---------------------------------------------------------------------------
    "search_label": ("무엇을 도와드릴까요?", "What do you need help with?"),
    "search_placeholder": ("예: 딥페이크 삭제", "e.g. remove a deepfake"),
    "search_button": ("찾기", "Search"),
    "region_label": ("지역", "Region"),
    "region_any": ("전국", "All of Korea"),
    # -- home ----------------------------------------------------------------------------------
    "home_title": ("혼자가 아니에요", "You are not alone"),
    "home_lead": (
        "딥페이크, 불법촬영, 동의 없이 퍼진 사진·영상, 협박. 어떤 일이든 도와줄 곳이 있어요. 지금 필요한 도움을 찾아보세요.",
        "Deepfakes, hidden cameras, images shared without consent, threats: whatever happened, there are people whose job is to help you. Find the help you need now.",
    ),
    "needs_heading": ("무엇이 필요하세요?", "What do you need?"),
    "need_removal": ("사진·영상 지우기", "Get images removed"),
    "need_report": ("신고하기", "Report it"),
    "need_talk": ("이야기할 사람 찾기", "Talk to someone"),
    "need_legal": ("무료 법률 도움", "Free legal help"),
    "need_minor": ("만 18세 미만이에요", "I am under 18"),
    "need_adult": ("교사·보호자예요", "I am a teacher or parent"),
    "guides_heading": ("처음이라면 읽어 보세요", "If you don't know where to start"),
    "safety_teaser": (
        "누군가 내 휴대폰이나 컴퓨터를 볼까 걱정되나요? 안전하게 이용하는 방법을 읽어 보세요.",
        "Worried someone checks your phone or computer? Read how to browse safely.",
    ),
    # -- results -------------------------------------------------------------------------------
    "results_title": ("검색 결과", "Results"),
    "results_for": ("‘{q}’ 검색 결과", "Results for “{q}”"),
    "results_all": ("도움받을 곳", "Places to get help"),
    "results_count": ("{n}곳", "{n} places"),
    "results_count_one": ("1곳", "1 place"),
    "results_range": ("{total}곳 중 {first}–{last}", "{first}–{last} of {total}"),
    "region_understood": (
        "검색어에서 지역을 찾았어요: {region}",
        "Searching in the region you typed: {region}",
    ),
    "place_understood": (
        "{place}({region}) 기준으로 찾았어요",
        "Searching around {place} ({region})",
    ),
    "place_elsewhere": (
        "다른 곳을 말한 거라면: {others}",
        "If you meant another place: {others}",
    ),
    "other_language": (
        "Danuri 1577-1366: help in 13 languages, 24 hours · 다누리콜센터 1577-1366은 13개 언어로 24시간 상담해요.",
        "Danuri 1577-1366: help in 13 languages, 24 hours · 다누리콜센터 1577-1366은 13개 언어로 24시간 상담해요.",
    ),
    "region_clear": ("전국에서 찾기", "Search all of Korea"),
    "relaxed_any": (
        "모든 단어가 들어간 결과가 없어서, 일부 단어가 맞는 결과를 보여 드려요.",
        "Nothing matched every word, so these results match some of them.",
    ),
    "relaxed_corrected": ("다음 검색어로 찾은 결과예요: {x}", "Showing results for: {x}"),
    "no_results": ("찾는 결과가 없어요.", "Nothing found."),
    "no_results_help": (
        "다른 말로 찾아보거나 필터를 지워 보세요. 어떤 피해든 1366에 전화하면 24시간 상담받을 수 있어요.",
        "Try other words or clear the filters. Whatever happened, you can call 1366 any time, day or night.",
    ),
    "nothing_searchable": ("검색할 수 있는 단어가 없어요.", "There was nothing we could search for."),
    "unavailable": (
        "지금은 검색이 잘 되지 않아요. 잠시 뒤 다시 해 보세요.",
        "Search is not working right now. Please try again in a moment.",
    ),
    "filters": ("필터", "Filters"),
    "filters_apply": ("적용하기", "Apply"),
    "filters_clear": ("필터 모두 지우기", "Clear all filters"),
    "filters_active": ("적용한 필터", "Active filters"),
    "filter_remove": ("필터 빼기: {x}", "Remove filter: {x}"),
    "open_now_only": ("지금 운영 중인 곳만", "Open now only"),
    "facet_kind": ("종류", "Type"),
    "facet_topic": ("도움 분야", "Help with"),
    "facet_audience": ("이용 대상", "Who it is for"),
    "facet_cost": ("비용", "Cost"),
    "facet_channel": ("연락 방법", "How to reach"),
    "facet_language": ("언어", "Language"),
    "page_next": ("다음 결과", "More results"),
    "page_prev": ("이전 결과", "Previous results"),
    "pages_aria": ("결과 페이지", "Result pages"),
    "details": ("자세히 보기", "Details"),
    "details_of": ("{name} 자세히 보기", "Details: {name}"),
    "call": ("전화", "Call"),
    "text_sms": ("문자", "Text"),
    "live_loading": ("찾는 중…", "Searching…"),
    # The calm card (service/present.py): one line on trust, one on languages.
    "trust_number": ("번호 확인: {year}년 자료", "Number as listed in {year}"),
    "trust_info": ("정보 확인: {year}년 자료", "Details as listed in {year}"),
    "korean_only": ("한국어만", "Korean only"),
    "answers_in": ("상담 언어: {langs}", "Answers in {langs}"),
    "via_interpreter": ("통역으로 {langs}", "{langs} via interpreter"),
    # A call button of a line that is closed now, and a KakaoTalk channel known by name only.
    "closed_now": ("지금은 닫혀 있어요", "closed now"),
    "kakao_search": ("앱에서 검색", "search in the app"),
    "handle_copy": ("이름 복사", "Copy the name"),
    "reach_above": ("전화: 위에 있는 {number}", "Call: {number}, above"),
    "more_ways": ("연락 방법 더 보기", "More ways to reach them"),
    # The counsellor's switch: sources, dates, caveats, referral picking and sharing.
    "view_counsellor": ("상담사용", "For counsellors"),
    "view_counsellor_hint": (
        "출처·확인 날짜·주의할 점을 보여 주고, 여러 곳을 골라 안내문을 만들 수 있어요.",
        "Shows sources, dates and caveats, and lets you pick results for one referral.",
    ),
    "results_calm": ("도움받을 수 있는 곳", "Where you can get help"),
    "understood_need": ("찾은 도움: {needs}", "Looking for: {needs}"),
    "understood_place": ("{place} 근처", "near {place}"),
    # When the search says a person may be in danger (search.model.Results.danger).
    "danger_immediate": (
        "지금 위험하다면 112에 바로 전화하세요. 아래는 그다음에 도움받을 수 있는 곳이에요.",
        "If you are in danger right now, call 112. Below are the places that can help next.",
    ),
    "danger_medical": (
        "몸을 다쳤다면 치료가 먼저예요. 아래 곳에서 진료와 상담을 함께 도와줄 수 있어요.",
        "If you are hurt, getting care comes first. The places below can help with treatment and counselling.",
    ),
    "danger_suicide": (
        "많이 힘들죠. 혼자 견디지 않아도 돼요. 지금 바로 이야기할 수 있는 곳이 아래에 있어요.",
        "This sounds very hard. You don't have to face it alone: the line below will talk with you now.",
    ),
    # Results.locality: the district she named has none of what she asked for.
    "locality_none": (
        "{district}에는 맞는 곳이 없어요. 가장 가까운 곳은 {nearest}예요.",
        "There is nothing for this in {district}. The nearest is {nearest}.",
    ),
    "back_results": ("찾은 결과로 돌아가기", "Back to your results"),
    # -- a resource ----------------------------------------------------------------------------
    "back_search": ("검색 결과로 돌아가기", "Back to results"),
    "sec_contact": ("연락하기", "Contact"),
    "sec_what": ("이곳에서 받을 수 있는 도움", "What they do for you"),
    "sec_how": ("이렇게 하세요 · 준비할 것", "What to do and what to prepare"),
    "sec_hours": ("운영 시간", "Opening hours"),
    "sec_facts": ("한눈에 보기", "At a glance"),
    "sec_links": ("링크", "Links"),
    "sec_see_also": ("함께 보면 좋은 곳", "See also"),
    "sec_sources": ("출처와 확인", "Sources and checks"),
    "caveat_heading": ("연락하기 전에 알아 두세요", "Before you contact them"),
    "caveat_more": ("자세히", "More"),
    "fact_who": ("이용 대상", "Who can use it"),
    "fact_cost": ("비용", "Cost"),
    "fact_anonymous": ("익명 상담", "Anonymity"),
    "fact_languages": ("언어", "Languages"),
    "fact_regions": ("지역", "Where"),
    "fact_address": ("주소", "Address"),
    "fact_org": ("운영 기관", "Run by"),
    "fact_kind": ("종류", "Type"),
    "fact_topics": ("도움 분야", "Help with"),
    "checked": ("마지막 확인: {date}", "Last checked: {date}"),
    "sources_intro": (
        "아래 자료에서 이 정보를 확인했어요. 링크를 열면 그 사이트로 이동해요.",
        "These pages state the facts above. Opening a link takes you to that site.",
    ),
    "confidence_label": ("정보 신뢰도", "How reliable"),
    "hours_unknown": ("운영 시간 정보가 없어요.", "Opening hours are not known."),
    "hours_always": ("24시간, 365일", "24 hours, every day"),
    "holidays_closed": ("공휴일은 쉬어요.", "Closed on public holidays."),
    "holidays_open": ("공휴일에도 열어요.", "Open on public holidays."),
    "holidays_unknown": (
        "공휴일 운영 여부는 확인되지 않았어요.",
        "Not confirmed whether open on public holidays.",
    ),
    # open now
    "open_always": ("24시간 운영", "Open 24 hours"),
    "open_until": ("지금 운영 중 · {time}까지", "Open now · until {time}"),
    "open_now": ("지금 운영 중", "Open now"),
    "closed_opens_today": ("지금은 닫힘 · 오늘 {time}에 열어요", "Closed now · opens today at {time}"),
    "closed_opens_tomorrow": ("지금은 닫힘 · 내일 {time}에 열어요", "Closed now · opens tomorrow at {time}"),
    "closed_opens_day": ("지금은 닫힘 · {day} {time}에 열어요", "Closed now · opens {day} at {time}"),
    "closed": ("지금은 닫힘", "Closed now"),
    "hours_not_known": ("운영 시간 모름", "Hours not known"),
    # -- errors --------------------------------------------------------------------------------
    "nf_title": ("찾는 페이지가 없어요", "We could not find that page"),
    "nf_lead": (
        "주소가 바뀌었거나 없어진 항목이에요. 아래에서 다시 찾아보세요.",
        "The address may have changed or the entry was removed. Search again below.",
    ),
    "nf_crisis": (
        "급하다면 지금 전화하세요. 위험하면 112, 24시간 상담은 1366이에요.",
        "If it is urgent, call now: 112 if you are in danger, 1366 for help any time.",
    ),
    "bad_title": ("주소가 올바르지 않아요", "This address is not right"),
    "bad_lead": (
        "이 주소로는 페이지를 열 수 없어요. 처음 화면에서 다시 찾아보세요.",
        "This page cannot be opened from this address. Please search again from the start page.",
    ),
    "err_title": ("잠시 문제가 생겼어요", "Something went wrong"),
    "err_lead": (
        "이 페이지를 지금 보여 드릴 수 없어요. 잠시 뒤 다시 해 보세요.",
        "We cannot show this page right now. Please try again in a moment.",
    ),
    # -- browsing safely -----------------------------------------------------------------------
    "safety_title": ("안전하게 이용하기", "Browsing safely"),
    "safety_lead": (
        "누군가 내 휴대폰이나 컴퓨터를 확인할까 걱정된다면, 이 사이트를 보기 전에 아래를 읽어 보세요.",
        "If you are worried that someone checks your phone or computer, read this before you go on.",
    ),
    "schools_title": ("학교·기관에 Haven 넣기", "Haven for schools and organisations"),
    "schools_lead": (
        "학교 홈페이지나 안내 페이지에 지역 상담처와 검색창을 넣을 수 있어요. 아래 코드를 복사해 붙여 넣으세요. 쿠키나 추적 없이 작동해요.",
        "Put your region's key contacts and a search box on your school's website. Copy the code below and paste it into your page. It works without cookies or tracking.",
    ),
    "schools_region": ("어느 지역인가요?", "Which region?"),
    "schools_lang": ("언어", "Language"),
    "schools_update": ("코드 만들기", "Make the code"),
    "schools_iframe": ("1. 검색창과 주요 연락처 넣기 (iframe)", "1. A search box and key contacts (iframe)"),
    "schools_link": ("2. 링크 하나만 넣기", "2. Just a link"),
    "schools_link_text": ("디지털 성범죄 피해 지원 찾기", "Find help after a digital sex crime"),
    "schools_preview": ("미리 보기", "Preview"),
    "schools_copy": ("복사", "Copy"),
    "schools_copied": ("복사했어요", "Copied"),
    "schools_code_label": ("붙여 넣을 코드", "Code to paste"),
    "schools_privacy": (
        "넣은 화면은 쿠키를 쓰지 않고, 방문 기록을 남기지 않고, 다른 사이트에서 아무것도 불러오지 않아요.",
        "The embedded box sets no cookies, records no visits and loads nothing from other sites.",
    ),
    "embed_title": ("디지털 성범죄 피해, 도움받을 곳", "Help after a digital sex crime"),
    "embed_contacts": ("{region} 주요 연락처", "Key contacts: {region}"),
    "embed_more": ("Haven에서 더 찾아보기", "Find more on Haven"),
    "embed_frame_title": (
        "디지털 성범죄 피해 지원 찾기 (Haven)",
        "Find help after a digital sex crime (Haven)",
    ),
    "schools_resize": ("높이를 내용에 맞추기 (선택)", "Fit the height to the content (optional)"),
    "schools_resize_lead": (
        "아래 한 줄을 iframe 바로 뒤에 붙이면, 휴대폰에서도 잘리거나 안쪽 스크롤이 생기지 않게 높이가 저절로 맞춰져요. 이 코드는 Haven이 보낸 높이 메시지만 받고, 다른 메시지는 무시해요. 스크립트를 쓸 수 없는 페이지라면 iframe만 넣어도 돼요. 휴대폰과 PC 모두 내용이 다 보이는 높이({height}px)로 정해 두었어요.",
        "Paste this one line right after the iframe and the frame takes the height of its content, so nothing is cut or scrolls inside it, on a phone too. It only accepts height messages from Haven's frame and ignores any other message. If your page cannot have scripts, the iframe alone works: its fixed height ({height} px) fits the content on phones and desktops.",
    ),
    "schools_sandbox": ("sandbox를 쓴다면", "If you use sandbox"),
    "schools_sandbox_lead": (
        "iframe에 sandbox 속성을 붙인다면 아래 값을 모두 넣어 주세요. allow-top-navigation-by-user-activation이 있어야 '빠른 나가기'가 학교 페이지 전체를 다른 사이트로 바꿔요. allow-same-origin이 있어야 높이 맞추기가 작동해요 (Haven 화면은 다른 주소라 학교 페이지에 접근할 수 없어요). allow-popups와 allow-popups-to-escape-sandbox가 있어야 검색과 자세히 보기가 새 탭에서 제대로 열려요.",
        "If you add a sandbox attribute to the iframe, include all of the values below. allow-top-navigation-by-user-activation lets quick exit replace your whole page with another site. allow-same-origin lets the height fit (Haven's frame keeps its own address, so it still cannot reach your page). allow-popups and allow-popups-to-escape-sandbox let searches and details open properly in a new tab.",
    ),
    "schools_sandbox_without": (
        "allow-top-navigation-by-user-activation이 없으면 빠른 나가기가 학교 페이지를 바꿀 수 없어요. 그때는 iframe 안만 다른 사이트로 바뀌고 학교 페이지는 그대로 남아요. 학생이 급히 나가야 할 수 있으니 이 값을 빼지 말아 주세요.",
        "Without allow-top-navigation-by-user-activation, quick exit cannot replace your page: only the frame changes to another site and your page stays on screen. A student may need to leave in a hurry, so please keep this value.",
    ),
    # -- sharing, cards and region pages -------------------------------------------------------
    "share_heading": ("공유하기", "Share"),
    "share_of": ("{name} 공유하기", "Share: {name}"),
    "share_text_label": ("보낼 내용 (문자·카카오톡)", "Text to send (text message or KakaoTalk)"),
    "share_copy": ("내용 복사", "Copy the text"),
    "share_copied": ("복사했어요", "Copied"),
    "share_sms": ("문자로 보내기", "Send as a text message"),
    "share_qr_caption": (
        "휴대폰 카메라로 찍으면 이 페이지가 열려요.",
        "Scan with a phone camera to open this page.",
    ),
    "share_card": ("인쇄용 안내 카드", "Printable referral card"),
    "share_card_wallet": ("지갑 크기 카드", "Wallet-size card"),
    "share_more": ("QR 코드·인쇄용 카드", "QR code and printable card"),
    "qr_label": ("QR 코드: {name}", "QR code: {name}"),
    "card_title": ("도움받을 곳 안내 카드", "Referral card"),
    "card_lead": (
        "인쇄해서 건네거나, 아래 내용을 복사해 보내세요. 화면의 QR 코드를 찍어도 돼요.",
        "Print it and hand it over, or copy the text below and send it. The QR code can be scanned from the screen too.",
    ),
    "card_print": ("인쇄하기", "Print"),
    "card_size": ("크기", "Size"),
    "card_size_a4": ("A4", "A4"),
    "card_size_wallet": ("지갑 크기 (85.6 × 54 mm)", "Wallet size (85.6 × 54 mm)"),
    "card_prepare": ("준비할 것", "What to prepare"),
    "card_online": ("온라인", "Online"),
    "card_scan": ("자세한 안내", "Details"),
    "card_emergency": ("위험하면 112 · 24시간 상담 1366", "In danger: 112 · 24/7 help: 1366"),
    "card_instead": ("번호가 없어 대신 안내해요: {name}", "No number listed, so instead: {name}"),
    "card_sms_label": (
        "문자로 보낼 내용 (통신사가 보내는 글자만)",
        "Text message (only characters carriers deliver)",
    ),
    # -- several results in one referral (results page → /card) ---------------------------------
    "pick_one": ("안내문에 넣기", "Add to referral"),
    "pick_submit": ("고른 곳으로 안내문 만들기", "Make one referral from the ticked results"),
    "pick_hint": (
        "여러 곳을 골라 문자 한 통이나 인쇄용 카드 한 장으로 보낼 수 있어요 (최대 {n}곳).",
        "Tick several results to send them in one text message or print them on one sheet (up to {n}).",
    ),
    "pick_none": (
        "고른 곳이 없어요. 검색 결과에서 한 곳 이상 골라 주세요.",
        "Nothing was ticked. Tick one or more results first.",
    ),
    "pick_capped": (
        "한 번에 {n}곳까지 넣을 수 있어서 처음 {n}곳만 넣었어요.",
        "One referral holds up to {n}, so only the first {n} are here.",
    ),
    "regions_title": ("지역별 도움받을 곳", "Help by region"),
    "regions_lead": (
        "지역을 고르면 그 지역의 기관과 전국 상담전화를 한 페이지에서 볼 수 있어요. 게시판에 붙일 포스터로 인쇄할 수도 있어요.",
        "Choose a region to see its services and the nationwide lines on one page. You can print it as a poster for a notice board.",
    ),
    "region_title": ("{region} 도움받을 곳", "Where to get help: {region}"),
    "region_lead": (
        "딥페이크, 불법촬영, 사진·영상 유포, 협박 피해를 입었다면 아래 기관이 도와줘요. 어디서부터 할지 모르겠다면 1366에 전화하세요. 24시간 받아요.",
        "After a deepfake, hidden-camera filming, images shared without consent or threats, these services can help. If you don't know where to start, call 1366, day or night.",
    ),
    "region_local": ("{region}", "In {region}"),
    "region_national": ("전국", "Nationwide"),
    "region_more_local": (
        "이 지역의 {n}곳 더: QR 코드로 열리는 페이지에 있어요.",
        "{n} more in this region: on the page the QR code opens.",
    ),
    "region_link": (
        "{region} 도움받을 곳 한눈에 보기 (포스터 인쇄)",
        "All help in {region} on one page (printable poster)",
    ),
    "region_other": ("다른 지역 보기", "Other regions"),
    "region_platforms": (
        "카카오톡, 텔레그램, 구글, 유튜브 같은 플랫폼에 직접 신고하는 방법",
        "How to report to a platform: KakaoTalk, Telegram, Google, YouTube and others",
    ),
    "region_print": ("포스터로 인쇄하기", "Print as a poster"),
    "region_qr_caption": (
        "휴대폰 카메라로 찍으면 이 목록이 열려요.",
        "Scan with a phone camera to open this list.",
    ),
    "region_checked": (
        "정보는 각 기관의 자료로 확인했어요. 자세한 출처와 확인 날짜는 각 기관 페이지에 있어요.",
        "Each entry was checked against published sources; each service's page shows them and when.",
    ),
    "group_talk": ("지금 이야기할 곳", "Talk to someone now"),
    "group_removal": ("사진·영상 지우기", "Get images removed"),
    "group_report": ("신고하기", "Report it"),
    "group_legal": ("법률 도움", "Legal help"),
    "group_medical": ("의료·원스톱 지원", "Medical care and one-stop centres"),
    "group_schools": ("학생·학교", "Students and schools"),
    # -- API docs ------------------------------------------------------------------------------
    "api_title": ("Haven API", "Haven API"),
    "api_lead": (
        "상담 기관과 다른 서비스가 쓸 수 있는 JSON API예요. 모든 GET 요청에 CORS가 열려 있고, ETag로 캐시할 수 있어요.",
        "A JSON API for hotlines and other services. CORS is open for every GET, and responses carry an ETag for caching.",
    ),
    "api_schema_link": ("OpenAPI 문서 (JSON)", "OpenAPI document (JSON)"),
    "api_params": ("매개변수", "Parameters"),
    "api_required": ("필수", "required"),
    "api_responses": ("응답", "Responses"),
    # Referrals (service/referral.py): short, to fit one text message.
    "referral_always": ("24시간 365일", "24 hours, every day"),
    "referral_always_short": ("24시간", "24/7"),
    "referral_daily": ("매일", "Daily"),
    "referral_hours_unknown": ("운영시간 미확인", "hours not confirmed"),
    "referral_holidays_closed": ("공휴일 휴무", "closed on public holidays"),
    "referral_holidays_open": ("공휴일에도 운영", "open on public holidays"),
    "referral_holidays_unknown": ("공휴일 운영 미확인", "public holidays not confirmed"),
    "referral_prepare": ("준비할 것: ", "Prepare: "),
    "referral_text": ("문자 ", "Text "),
    "referral_instead": ("번호가 없어 대신 안내해요: ", "No number listed, so instead: "),
    # The terminal (`haven search`, `haven show`).
    "cli_relaxed": ("검색 결과: ", "Showing results for: "),
    "cli_around": ("{place}({region}) 기준으로 찾았어요", "Searching around {place} ({region})"),
    "cli_no_results": ("결과가 없어요. 24시간 상담: 1366", "No results. 24/7 help: 1366"),
    "cli_open_legend": ("● 지금 운영 중", "● open now"),
    "cli_sms": ("문자 ", "SMS "),
}

#: Row labels of `haven show`, in the order they are printed.
_SHOW_LABELS = {
    "what": ("하는 일", "About"),
    "phones": ("전화", "Phone"),
    "hours": ("운영 시간", "Hours"),
    "cost": ("비용", "Cost"),
    "anonymous": ("익명", "Anonymity"),
    "languages": ("언어", "Languages"),
    "audiences": ("이용 대상", "For"),
    "org": ("운영 기관", "Run by"),
    "address": ("주소", "Address"),
    "how": ("이용 방법", "How to"),
    "links": ("링크", "Links"),
    "caveat": ("주의", "Caveat"),
    "see_also": ("함께 보기", "See also"),
    "sources": ("출처", "Sources"),
    "checked": ("확인", "Checked"),
}

#: The needs a search understood (data/needs.yaml's keys), named for the results' first line.
_NEEDS = {
    "crisis": ("지금 위기 상담", "a crisis now"),
    "minor": ("만 18세 미만", "under-18s"),
    "threat": ("협박 대응", "threats"),
    "removal": ("사진·영상 삭제", "taking images down"),
    "talk": ("상담", "someone to talk to"),
    "police": ("경찰 신고", "reporting to the police"),
    "legal": ("법률 도움", "legal help"),
    "evidence": ("증거 남기기", "keeping evidence"),
    "teacher": ("교사 지원", "teachers"),
    "school": ("학교", "school"),
    "migrant": ("외국인 지원", "foreign residents"),
    "male": ("남성 피해자", "male victims"),
}
_CONFIDENCE = {
    "official": ("공식 자료로 확인한 정보예요.", "Confirmed by official sources."),
    "secondary": (
        "기관의 공식 자료가 아니라 기사나 다른 곳의 자료로 확인한 정보예요.",
        "Based on news or third-party pages, not the organisation's own.",
    ),
    "dated": (
        "2년 넘은 자료에 바탕을 둔 정보예요. 바뀌었을 수 있어요.",
        "Based on sources over two years old. Details may have changed.",
    ),
    "unconfirmed": (
        "확인되지 않은 정보가 있어요. 먼저 1366에 물어보세요.",
        "Some details are not confirmed. Check with 1366 first.",
    ),
}
_CONFIDENCE_SHORT = {
    "official": ("공식 확인", "Official"),
    "secondary": ("기사·다른 기관 자료로 확인", "Checked in news or other pages"),
    "dated": ("오래됐을 수 있어요", "May be out of date"),
    "unconfirmed": ("확인되지 않았어요", "Not confirmed"),
}
_ANONYMOUS = {
    "yes": ("익명으로 상담할 수 있어요", "You can stay anonymous"),
    "no": ("이름을 밝혀야 해요", "You need to give your name"),
    "partly": ("일부는 익명으로 할 수 있어요", "Partly anonymous"),
    "unknown": ("익명 가능 여부는 확인되지 않았어요", "Anonymity not confirmed"),
}
_CHANNEL = {
    "phone": ("전화", "Phone"),
    "sms": ("문자", "Text message"),
    "website": ("웹사이트", "Website"),
    "form": ("온라인 신청·신고", "Online form"),
    "chat": ("채팅", "Chat"),
    "kakaotalk": ("카카오톡", "KakaoTalk"),
    "email": ("이메일", "Email"),
    "app": ("앱", "App"),
    "guide": ("안내 자료", "Guide"),
}
_DAYS = {
    "mon": ("월", "Mon"),
    "tue": ("화", "Tue"),
    "wed": ("수", "Wed"),
    "thu": ("목", "Thu"),
    "fri": ("금", "Fri"),
    "sat": ("토", "Sat"),
    "sun": ("일", "Sun"),
}
_WEEKDAYS_LONG = (
    ("월요일", "Monday"),
    ("화요일", "Tuesday"),
    ("수요일", "Wednesday"),
    ("목요일", "Thursday"),
    ("금요일", "Friday"),
    ("토요일", "Saturday"),
    ("일요일", "Sunday"),
)
#: Names of the languages a service is offered in (ISO 639-1/-3), in each UI language.
_LANGUAGE_NAMES = {
    "ko": ("한국어", "Korean"),
    "en": ("영어", "English"),
    "zh": ("중국어", "Chinese"),
    "ja": ("일본어", "Japanese"),
    "vi": ("베트남어", "Vietnamese"),
    "th": ("태국어", "Thai"),
    "tl": ("필리핀어(타갈로그어)", "Filipino (Tagalog)"),
    "mn": ("몽골어", "Mongolian"),
    "ru": ("러시아어", "Russian"),
    "km": ("크메르어(캄보디아어)", "Khmer"),
    "uz": ("우즈베크어", "Uzbek"),
    "lo": ("라오스어", "Lao"),
    "ne": ("네팔어", "Nepali"),
    "id": ("인도네시아어", "Indonesian"),
    "my": ("미얀마어", "Burmese"),
    "si": ("싱할라어", "Sinhala"),
    "bn": ("벵골어", "Bengali"),
    "ur": ("우르두어", "Urdu"),
    "kk": ("카자흐어", "Kazakh"),
    "ky": ("키르기스어", "Kyrgyz"),
    "fr": ("프랑스어", "French"),
    "es": ("스페인어", "Spanish"),
    "ar": ("아랍어", "Arabic"),
    "hi": ("힌디어", "Hindi"),
    "ksl": ("한국수어", "Korean Sign Language"),
}

#: Longer texts: lists of (heading, paragraphs) per language.
SAFETY_SECTIONS: dict[Lang, list[tuple[str, list[str]]]] = {
    "ko": [
        (
            "빠른 나가기",
            [
                "모든 페이지 위쪽의 ‘빠른 나가기’ 버튼을 누르면, 이 화면이 곧바로 평범한 다른 사이트로 바뀌어요.",
                "Esc 키도 같은 일을 해요. 다만 검색창처럼 글자를 쓰는 칸에 있을 때는 나가지 않아요(쓰던 글자를 지우려고 누를 수도 있어서요).",
                "Shift 키를 빠르게 세 번 누르면 어디서든, 글자를 쓰는 중에도 바로 나가요.",
                "이 사이트 안에서 여러 페이지를 옮겨 다녀도 뒤로 가기 목록에는 한 칸만 남아요. 빠른 나가기는 그 한 칸을 다른 사이트로 바꿔요. 그래서 뒤로 가기를 눌러도 이 사이트가 아니라 들어오기 전에 보던 곳으로 가요. 다만 여기서 다른 기관의 사이트로 갔다면, 그 사이트에서 뒤로 가기를 누르면 이 사이트로 돌아와요.",
                "자바스크립트가 꺼져 있으면 이렇게 되지 않아요. 버튼을 누르면 다른 사이트로 가면서, 브라우저에 저장된 이 사이트의 사본을 지우라고 알려요. 하지만 이 사이트에서 본 페이지는 뒤로 가기 목록에 남아서, 뒤로 가기를 누르면 보던 페이지가 다시 열릴 수 있어요. 나간 뒤에는 탭을 닫으세요.",
                "검색창에 쓴 글자는 주소나 페이지 제목에 들어가지 않아서, 브라우저의 방문 기록(기록 메뉴)에도 남지 않아요. 다만 본 페이지(예: 어떤 기관의 안내 페이지)의 주소와 이름, 나가면서 연 다른 사이트는 방문 기록에 남아요. 빠른 나가기는 그것을 지우지 못하니, 아래 방법으로 지우거나 처음부터 시크릿 모드를 쓰세요.",
                "‘찾은 결과로 돌아가기’가 쓰도록, 마지막 검색은 이 탭 안에만 잠시 기억돼요. 탭을 닫거나 빠른 나가기를 누르면 지워져요.",
            ],
        ),
        (
            "기록을 남기지 않으려면",
            [
                "시크릿 모드(크롬의 ‘새 시크릿 탭’, 삼성 인터넷의 ‘비밀 모드’, 사파리의 ‘개인정보 보호 브라우징’)로 열면 창을 닫을 때 방문 기록이 지워져요.",
                "이미 방문했다면 브라우저 설정의 ‘방문 기록’에서 이 사이트 기록만 골라 지울 수 있어요. 전부 지우면 오히려 눈에 띌 수 있어요.",
                "검색창에 쓴 글자는 키보드의 추천 단어에 남을 수 있어요.",
                "전화를 걸면 통화 기록에 번호가 남아요. 필요하면 통화 기록에서 그 번호를 지우세요.",
            ],
        ),
        (
            "빠른 나가기가 숨기지 못하는 것",
            [
                "누군가 내 화면을 직접 보고 있거나, 휴대폰에 감시 앱(스토커웨어)이 깔려 있다면 이 사이트도 볼 수 있어요. 걱정된다면 그 사람이 만질 수 없는 다른 기기(친구 휴대폰, 도서관 컴퓨터)를 쓰세요.",
                "학교나 회사 와이파이는 어떤 사이트에 들어갔는지 기록할 수 있어요. 검색어는 암호화되어 보이지 않지만, 사이트 주소는 보일 수 있어요.",
                "화면을 캡처했거나 파일을 내려받았다면 그것은 따로 지워야 해요.",
            ],
        ),
        (
            "이 사이트가 하는 일과 하지 않는 일",
            [
                "쿠키를 쓰지 않아요. 로그인도, 계정도 없어요.",
                "검색어, IP 주소, 브라우저 정보를 기록하지 않아요.",
                "글꼴, 지도, 광고, 통계 같은 다른 회사의 것을 불러오지 않아요. 이 사이트를 열어도 다른 회사는 알 수 없어요.",
                "이 사이트에서 다른 사이트로 가는 링크를 눌러도, 어디에서 왔는지 그 사이트에 알리지 않아요.",
            ],
        ),
        (
            "지금 위험하다면",
            [
                "112에 전화하세요. 경찰이 출동해요.",
                "1366은 24시간 받는 상담전화예요. 딥페이크와 불법촬영 같은 디지털 성범죄 피해도 받아요.",
            ],
        ),
    ],
    "en": [
        (
            "Quick exit",
            [
                "Press the “Quick exit” button at the top of every page and this page is replaced at once by an ordinary, unrelated site.",
                "The Esc key does the same, except while you are typing in a text field such as the search box (there Esc may be clearing a typo).",
                "Pressing Shift three times quickly leaves at once from anywhere, even while you are typing.",
                "However many pages of this site you open, they take a single place in the Back list. Quick exit replaces that place with the other site, so Back goes to where you were before you came here, not to this site. If you went on from here to another organisation's site, though, Back from there returns to this site.",
                "With JavaScript turned off this does not work the same way. The button goes to the other site and asks the browser to drop the copies it kept of this site, but the pages of this site you saw stay in the Back list, and Back may open them again. Close the tab after leaving.",
                "What you type in the search box never goes into a page's address or title, so it is not in your browser's history (the History menu). The addresses and names of the pages you opened (an organisation's page, for example) and the site quick exit opened do stay there. Quick exit cannot delete them: delete them as below, or use a private window from the start.",
                "So that “Back to your results” works, your last search is remembered in this tab only for a while. Closing the tab or quick exit clears it.",
            ],
        ),
        (
            "Leaving fewer traces",
            [
                "Open this site in a private window (Chrome: “New Incognito tab”; Samsung Internet: “Secret mode”; Safari: “Private Browsing”). Its history is deleted when you close it.",
                "If you have already visited, you can delete just this site from the browser's history. Clearing everything may itself be noticed.",
                "Words you type in the search box may be remembered by your keyboard's suggestions.",
                "A phone call leaves the number in your call log. Delete it there if you need to.",
            ],
        ),
        (
            "What quick exit cannot hide",
            [
                "If someone can see your screen, or has put a monitoring app (stalkerware) on your phone, they may see this site too. If you are worried, use a device they cannot touch: a friend's phone or a library computer.",
                "School or work Wi-Fi can record which sites you visit. Your search words are encrypted, but the site's address may be visible.",
                "Screenshots and downloaded files stay on your device until you delete them.",
            ],
        ),
        (
            "What this site does and does not do",
            [
                "It sets no cookies. There is no login and no account.",
                "It does not record your searches, your IP address or your browser.",
                "It loads nothing from other companies: no fonts, maps, ads or analytics. No one else learns that you opened it.",
                "When you follow a link from here to another site, that site is not told where you came from.",
            ],
        ),
        (
            "If you are in danger now",
            [
                "Call 112: the police will come.",
                "1366 answers 24 hours a day, including for digital sex crimes such as deepfakes and hidden cameras.",
            ],
        ),
    ],
}

_GROUPS: dict[str, dict[str, tuple[str, str]]] = {
    "confidence": _CONFIDENCE,
    "confidence_short": _CONFIDENCE_SHORT,
    # The one cost table, shared with the HSDS feed (search/wording.py).
    "cost": {key: (words["ko"], words["en"]) for key, words in COST_LABELS.items()},
    "anonymous": _ANONYMOUS,
    "channel": _CHANNEL,
    "day": _DAYS,
    "show": _SHOW_LABELS,
    "need": _NEEDS,
}


def _index(lang: Lang) -> int:
    return 1 if lang == "en" else 0


@functools.cache
def strings(lang: Lang) -> dict[str, str]:
    """The UI strings of one language, keyed as in :data:`STRINGS` (one shared dict: read it,
    never change it)."""
    i = _index(lang)
    return {key: pair[i] for key, pair in STRINGS.items()}


def labels(lang: Lang) -> dict[str, dict[str, str]]:
    """Labels of fixed vocabularies (cost, anonymity, channels …) in one language. Kinds, topics
    and audiences are data/taxonomy.yaml's (through the index), as in the HSDS feed."""
    i = _index(lang)
    return {group: {k: v[i] for k, v in values.items()} for group, values in _GROUPS.items()}


def language_name(code: str, lang: Lang) -> str:
    """``"vi"`` → ``"베트남어"`` (ko) or ``"Vietnamese"`` (en); unknown codes stay as they are."""
    pair = _LANGUAGE_NAMES.get(code)
    return pair[_index(lang)] if pair else code


def weekday_name(day: dt.date, lang: Lang) -> str:
    return _WEEKDAYS_LONG[day.weekday()][_index(lang)]


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: dt.date, lang: Lang) -> str:
    """``2026년 11월 25일`` or ``25 November 2026``."""
    if lang == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}년 {day.month}월 {day.day}일"
