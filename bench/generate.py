#!/usr/bin/env python3
"""Synthetic captures of the Digital Archive, with an answer key.

    python bench/generate.py --documents 25000 --out bench/out/captures --seed 1

writes a folder tree of text and HTML captures in the layouts of `docs/layouts.md`
(listings of both site generations, document pages, encyclopedia articles and damaged
files) and an answer key (default: `answer_key.json` beside the captures folder) that says
which capture shows which invented document at which position. The same seed gives the
same bytes. Standard library only; every title, name and sentence is invented here.

Importable: `generate_corpus(out_dir, documents, seed)` returns the answer key.
"""

from __future__ import annotations

import argparse
import calendar
import functools
import hashlib
import html
import json
import random
import shutil
import struct
import sys
import textwrap
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SITE = "https://digitalarchive.wilsoncenter.org"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
HU_MONTHS = ("január", "február", "március", "április", "május", "június", "július",
             "augusztus", "szeptember", "október", "november", "december")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
NBSP = "\u00a0"
WAYBACK = "https://web.archive.org/web"
# The older site's footer as a text capture prints it: flush-left links after the entries.
SITE_FOOTER = ["Back to top", "", "About the Digital Archive", "", "Terms of Use | Privacy Policy", ""]
HTML_FOOTER = ['<footer class="site-footer">', '<p><a href="/about">About the Digital Archive</a></p>',
               '<p><a href="/terms">Terms of Use</a> | <a href="/privacy">Privacy Policy</a></p>', "</footer>"]
BULLET = "  \u2022 "
DASH_LINE = "-" * 40
COMPLETE_ENDINGS = tuple("0123456789.!?:;)]\"'\u201d\u2019>")

# --------------------------------------------------------------------------------------
# Vocabulary. Names of people are invented; offices and archives are the real kinds.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    about: str  # what its collections are about, for their descriptions
    groups: tuple[str, ...]
    places: tuple[str, ...]
    collections: tuple[str, ...]
    subjects: tuple[str, ...]
    countries: tuple[str, ...]


THEMES: dict[str, Theme] = {
    "japan": Theme(
        "the return of Korean residents of Japan to North Korea",
        ("Koreans Living in Japan", "Returnees from Japan", "Japanese Wives of Korean Returnees",
         "Members of the General Association of Korean Residents"),
        ("Niigata", "Chongjin", "Geneva", "Hamhung", "Wonsan"),
        ("Return Migration from Japan", "The Niigata Sailings", "Red Cross Talks on Repatriation"),
        ("Repatriation", "Koreans in Japan", "Red Cross"),
        ("Japan", "Korea (North)", "Switzerland")),
    "soviet": Theme(
        "the citizenship of Soviet Koreans who worked in North Korea",
        ("Soviet Koreans", "Soviet Korean Officials in the DPRK", "Koreans in Central Asia",
         "Soviet Citizens of Korean Ethnicity"),
        ("Tashkent", "Alma-Ata", "Moscow", "Pyongyang", "Kyzyl-Orda"),
        ("Soviet Koreans and Dual Citizenship", "The Consular Convention Talks",
         "Soviet Koreans in the North Korean Party"),
        ("Citizenship", "Soviet Koreans", "Migration"),
        ("Russia (Federation)", "Korea (North)", "Uzbekistan", "Kazakhstan")),
    "china": Theme(
        "ethnic Koreans on both sides of the Chinese-Korean border",
        ("Ethnic Koreans in Northeast China", "Korean Nationality Residents of Yanbian",
         "Chinese Citizens in the DPRK", "Demobilized Soldiers of Korean Nationality",
         "Border Residents of Jilin"),
        ("Yanji", "Tumen", "Dandong", "Sinuiju", "Changchun", "Hyesan"),
        ("Chinese Koreans and the Border", "Crossings on the Tumen River",
         "Overseas Chinese in North Korea"),
        ("Chinese Koreans", "Border security", "Citizenship"),
        ("China", "Korea (North)")),
    "sakhalin": Theme(
        "Koreans left stateless on Sakhalin and in the Soviet Far East",
        ("Koreans on Sakhalin", "Stateless Koreans in the Soviet Far East",
         "Korean Fishery Workers on the Kurils"),
        ("Yuzhno-Sakhalinsk", "Korsakov", "Nakhodka", "Khabarovsk", "Kholmsk"),
        ("Sakhalin Koreans", "Stateless Residents of the Far East"),
        ("Stateless persons", "Migration", "Soviet Far East"),
        ("Russia (Federation)", "Japan", "Korea (South)")),
    "students": Theme(
        "North Korean students and orphans in Eastern Europe",
        ("Korean Students in Hungary", "Korean Students in Eastern Europe",
         "Korean Orphans in Poland", "Korean Trainees in the GDR",
         "Korean Children in Romania"),
        ("Budapest", "Warsaw", "Dresden", "Prague", "Bucharest"),
        ("Korean Students and Orphans Abroad", "The Recall of Korean Students"),
        ("Students", "Education", "Children"),
        ("Hungary", "Poland", "Germany", "Korea (North)")),
    "asylum": Theme(
        "mixed marriages, asylum requests and former prisoners of war",
        ("Asylum Seekers at Foreign Embassies", "Mixed-Marriage Families",
         "Soviet Wives of Korean Citizens", "Former Prisoners of War"),
        ("Pyongyang", "Kaesong", "Hamhung", "Sariwon"),
        ("Mixed Marriages and Asylum Cases", "Former Prisoners and Their Families"),
        ("Refugees", "Marriage", "Human rights"),
        ("Korea (North)", "Russia (Federation)", "Hungary")),
    "labor": Theme(
        "Korean contract workers in the Soviet Union and China",
        ("Korean Timber Workers in the Soviet Far East", "Korean Workers in Siberia",
         "Korean Construction Personnel in China"),
        ("Tynda", "Chegdomyn", "Blagoveshchensk", "Harbin"),
        ("Labor Migration and the Logging Camps", "Contract Workers Abroad"),
        ("Labor", "Migration", "Economic cooperation"),
        ("Russia (Federation)", "China", "Korea (North)")),
}

ACTIONS = ("the Repatriation of", "Citizenship for", "Exit Permits for", "the Registration of",
           "the Resettlement of", "Employment for", "Schooling for", "Benefits for",
           "the Return of", "Family Reunification for", "Travel Documents for", "a Census of",
           "Housing for", "the Legal Status of")

SOVIET_AMBASSADORS = ("V. P. Sorokin", "N. A. Belyaev", "I. S. Korotkov", "A. F. Zubarev",
                      "G. M. Lapin", "K. A. Rudnev")
SOVIET_OFFICIALS = ("P. K. Tikhonov", "Yu. D. Orekhov", "S. V. Matveyev", "L. I. Dyachenko",
                    "E. N. Vlasov", "M. R. Gusev", "O. T. Shilov")
SOVIET_ROLES = ("Soviet Embassy Counsellor", "First Secretary of the Soviet Embassy",
                "Soviet Consul General in Chongjin", "Soviet Chargé d'Affaires")
KOREAN_OFFICIALS = ("Ri Chang-su", "Pak Mun-gil", "Kim Tae-sok", "Choe Yong-ho", "Han Sang-ryol",
                    "Jeong Myeong-hwa", "Ri Gwang-jin", "Kang Do-hyeon", "Ho Jong-man",
                    "Yun Bong-su", "Kim Sun-ok")
KOREAN_ROLES = ("DPRK Deputy Minister of Foreign Affairs", "Chairman of the DPRK Red Cross",
                "Head of the DPRK Consular Department", "KWP CC Department Chief",
                "DPRK Vice Minister of Public Security")
CHINESE_OFFICIALS = ("Zhao Mingde", "Liu Jianhua", "Sun Guoliang", "Wang Shoucheng",
                     "Feng Yusheng", "Gao Weiping", "Tang Zhaolin", "Lu Deming")
CHINESE_ROLES = ("Deputy Office Director", "Consular Section Chief", "Vice Governor",
                 "Prefectural Party Secretary")
CHINESE_OFFICES = ("Chinese Embassy in North Korea", "Foreign Ministry Consular Affairs Department",
                   "Jilin Provincial Foreign Affairs Office", "Yanbian Prefectural Public Security Bureau",
                   "Liaoning Provincial Civil Affairs Department", "Ministry of Public Security",
                   "Chinese Consulate in Sinuiju", "Northeast Bureau of the CCP Central Committee")
CHINESE_BODIES = ("CCP Central Committee", "State Council", "Jilin Provincial Party Committee",
                  "Ministry of Internal Affairs", "Central Overseas Chinese Affairs Commission")
BULLETINS = ("Border Bulletin", "Situation Report", "Work Briefing", "Public Security Bulletin")
BULLETIN_CLAUSES = ("Korean Nationality Residents are Leaving for the DPRK without Permits",
                    "Border Residents Request Exit Permits in Large Numbers",
                    "Families of Demobilized Soldiers Ask to Join Them in Korea",
                    "Rumours of a Famine Spread in the Border Villages",
                    "Teachers of Korean Schools Apply to Emigrate",
                    "Cross-Border Marriages Increase in Hunchun County")
QUOTED_TOPICS = ("Reply concerning {topic}", "On the Question of {topic}",
                 "Request for Instructions on {topic}", "Opinions on Handling {topic}")
HUNGARIANS = ("Ferenc Szalai", "Gábor Kertész", "Dezső Tóth", "Imre Várady", "Lőrinc Bodnár",
              "Géza Halmos", "Ottó Pintér")
CITIES_CN = ("Changchun", "Shenyang", "Yanji")

SERIES_TITLES = (
    ("hungarian", "Report", "Report, Hungarian Legation in Pyongyang to the Foreign Ministry in Budapest"),
    ("hungarian", "Telegram",
     "Ciphered Telegram, Hungarian Embassy in the DPRK to the Hungarian Foreign Ministry"),
    ("chinese", "Cable", "Cable, Chinese Consulate in Chongjin to the PRC Foreign Ministry"),
    ("soviet", "Report", "Report, Soviet Consulate General in Chongjin to the USSR Foreign Ministry"),
    ("soviet", "Diary Entry", "Journal of the Counsellor of the Soviet Embassy in the DPRK"),
)


@dataclass(frozen=True)
class TitleForm:
    origin: str
    needs_day: bool
    doc_type: str
    title: str
    actor: str
    other: str


TITLE_FORMS = (
    TitleForm("soviet", True, "Diary Entry", "Journal of Soviet Ambassador to the DPRK {amb} for {dayfirst}",
              "Ambassador {amb_s}", "{kor_role} {kor}"),
    TitleForm("soviet", False, "Memorandum of Conversation",
              "Record of a Conversation between {sov_role} {sov} and {kor_role} {kor}", "{sov}", "{kor}"),
    TitleForm("soviet", False, "Memorandum of Conversation", "Record of a Conversation with {kor_role} {kor}",
              "The Soviet Embassy", "{kor}"),
    TitleForm("soviet", False, "Memorandum", "Memorandum to the CPSU CC on {topic}",
              "The USSR Foreign Ministry", "the CPSU Central Committee"),
    TitleForm("soviet", False, "Memorandum", "Note of the Consular Department of the USSR MFA on {topic}",
              "The Consular Department", "the embassy in Pyongyang"),
    TitleForm("soviet", False, "Telegram", "TELEGRAM from Pyongyang to Moscow on {topic}",
              "The Soviet Embassy", "Moscow"),
    TitleForm("soviet", False, "Decree", "Draft Decree of the CPSU CC Secretariat on {topic}",
              "The CPSU CC Secretariat", "the USSR Ministry of Foreign Affairs"),
    TitleForm("soviet", False, "Letter",
              "Letter from {sov} to the USSR Ministry of Internal Affairs concerning {topic}",
              "{sov}", "the Ministry of Internal Affairs"),
    TitleForm("chinese", False, "Cable", "Cable, {cn_office} to the {cn_office2}",
              "The {cn_office}", "the {cn_office2}"),
    TitleForm("chinese", False, "Cable", "Cable from the {cn_office}, {q}{quoted}{q_end}",
              "The {cn_office}", "the {cn_body}"),
    TitleForm("chinese", False, "Memorandum of Conversation",
              "Memo of Conversation between {cn_role} {cn} and DPRK Consul General in {cn_city} {kor}",
              "{cn}", "{kor}"),
    TitleForm("chinese", False, "Instructions", "Instructions from the {cn_body} on Handling {topic}",
              "The {cn_body}", "the provincial committees"),
    TitleForm("chinese", False, "Report", "Opinions of the {cn_body} on {topic}",
              "The {cn_body}", "the {cn_office}"),
    TitleForm("hungarian", True, "Report",
              "Information Report Sent by {hu} to Deputy Foreign Minister {hu2_s}, "
              "\u201c{topic}\u201d {dayfirst}.",
              "{hu}", "Deputy Foreign Minister {hu2_s}"),
    TitleForm("hungarian", False, "Memorandum", "Memorandum on a Conversation with {kor_role} {kor}",
              "The Hungarian Embassy", "{kor}"),
    TitleForm("hungarian", False, "Report", "Report on {topic} by the Hungarian Embassy in Pyongyang",
              "The Hungarian Embassy in Pyongyang", "the Foreign Ministry in Budapest"),
    TitleForm("hungarian", False, "Telegram", "CIPHERED TELEGRAM on {topic}",
              "Ambassador {hu}", "the Hungarian Foreign Ministry"),
)
BULLETIN_FORM = TitleForm("chinese", True, "Report", "{cn_office}, {q}{bulletin} No. {n}: {clause}{q_end}",
                          "The {cn_office}", "the {cn_body}")

SUMMARY_FORMS = (
    "{actor} reports on {topic_l}{extra}.",
    "{actor} and {other} discuss {topic_l}, {aside}, and {aside2}.",
    "{actor} informs {other} about {topic_l} and {aside}.",
    "{actor} asks {other} for instructions on {topic_l}{extra}.",
    "A {type_l} concerning {topic_l}, with remarks on {aside}.",
    "{actor} describes the situation regarding {topic_l} and proposes {proposal}.",
)
ASIDES = ("the schedule of the next ship", "housing shortages in Hamhung",
          "grain deliveries to the border counties", "the Embassy\u2019s consular workload",
          "complaints from returnees\u2019 relatives",
          "the exchange of lists between the two Red Cross societies",
          "a delegation to the May Day celebrations", "the cost of rail transport to the border",
          "school places for Korean-speaking children", "the treatment of persons without documents",
          "radio broadcasts aimed at Koreans abroad", "a dispute over fishing quotas",
          "the mood among the party's Soviet-born cadres", "pensions for former soldiers")
EVENTS = ("a series of complaints from returnee families", "the arrival of a ship in Chongjin",
          "an incident at the border post in Tumen", "the expiry of the repatriation agreement",
          "a decision of the Presidium", "the census of the previous year")
PROPOSALS = ("a joint commission", "a simplified procedure for exit visas",
             "a survey of the families concerned", "closer checks at the border posts",
             "a delay until after the harvest", "talks at the level of deputy ministers")

ARCHIVE_NAMES = {
    "AVPRF": "Archive of Foreign Policy of the Russian Federation (AVPRF)",
    "RGANI": "Russian State Archive of Contemporary History (RGANI)",
    "PRC FMA": "Foreign Ministry Archives of the People\u2019s Republic of China",
    "MOL": "Hungarian National Archives (Magyar Nemzeti Levéltár)",
}
LANGUAGES = {"soviet": "Russian", "chinese": "Chinese", "hungarian": "Hungarian"}
TRANSLATORS = ("Irina Voloshina", "Daniel Pryce", "Seo-yeon Park", "Agnes Horvath", "Wen Lijun",
               "Mark Treadwell", "Hyun-woo Cho", "Balázs Fekete", "Natalia Kuznetsova",
               "Eun-ji Baek", "Thomas Aldridge", "Zhou Ruiqi")
FUNDERS = ("the Korea Foundation for Archival Research", "the Peninsula Records Grant Program",
           "the Hanbit Cultural Trust", "the East Asia Records Initiative",
           "the Northeast Asia Memory Fund")
PLACES_EXTRA = ("Korea (South)", "Mongolia", "Czechoslovakia")
RIGHTS = (
    ("Digital Archive materials may be reused for research and teaching. Some documents remain under "
     "copyright held by their rights holders under US and international law; where possible those holders "
     "were asked for permission before publication.",
     "Questions about the rights status of this document or requests for commercial use can be sent to the "
     "History and Public Policy Program at {email}."),
    ("The History and Public Policy Program offers these materials for non-commercial research and "
     "education. Copyright in some items rests with their owners, who have been contacted where that was "
     "possible. For permissions, write to {email}.",),
)

# Body pieces: sentences are filled from the document's own names, places and dates.
BODY_SENTENCES = (
    "{kor} stated that {n} families had applied for {topic_l} since {dayfirst}.",
    "According to the data of the {office}, {n} persons of Korean nationality crossed to the other side "
    "of the river in the first quarter of {year}.",
    "I asked {kor} whether the lists of {group} forwarded on {dayfirst} had been received.",
    "{kor} replied that the question had been discussed at a meeting of the Presidium and that no final "
    "decision had yet been taken.",
    "The embassy considers it advisable to settle the matter before the next ship leaves {place}.",
    "In the course of the conversation {kor} raised the question of {aside}.",
    "{kor} noted that some returnees had complained about housing and work assignments in {place}.",
    "The registration was carried out between {dayfirst} and {dayfirst2}; a copy of the list is attached.",
    "We request instructions on whether persons holding two passports should be permitted to leave.",
    "The telegram of {roman} was received and its contents were reported to the ambassador.",
    "On {dayfirst} the consular section issued {n} exit visas and refused {m}.",
    "{kor} thanked me for the information and promised to report it to the leadership.",
    "The local authorities in {place} have been told not to obstruct the departure of persons whose "
    "papers are in order.",
    "It is proposed to send a group of {m} officials to {place} to examine the situation on the spot.",
    "The friends asked that the figures not be made public until the talks are concluded.",
    "Of those questioned, {m} said they wished to remain and {n} asked to be sent home.",
)
BODY_HEADERS = ("SECRET", "Top Secret", "Copy No. {m}", "No. {n}/{year}", "{place}, {dayfirst}",
                "[handwritten: to the archive]", "[stamp: received {dayfirst}]", "N\u00ba {n}")
BODY_CLOSINGS = ("{role_upper} [signature] ({sign})", "[illegible signature]", "Five copies printed",
                 "{m} - to file", "Distribution: Cde. {sign}; the Consular Department; file",
                 "Attachment: list of {n} names, {m} pages")
FOREIGN_LINES = {  # by the origin of the document: stamps and headings left untranslated
    "soviet": ("[Штамп: «Секретно», вх. № {n}]", "Посольство СССР в КНДР, г. Пхеньян. Копия, экз. № {m}",
               "Справка о положении корейцев, прибывших из Японии", "[Korean: 재일 동포 귀국 문제에 관하여]"),
    "chinese": ("[Chinese: 关于朝鲜族居民越境问题的报告]", "조선민주주의인민공화국 적십자회 중앙위원회, 평양"),
    "hungarian": ("Szigorúan titkos! Készült {m} példányban.", "Phenjan, {hu_date}",
                  "Tárgy: a koreai diákok hazahívása. Phenjani Magyar Nagykövetség",
                  "Ambasada PRL w Phenianie. Notatka służbowa, tajne.", "[Korean: 국적 문제에 관한 담화]"),
}

COLLECTION_QUALIFIERS = ("", ", 1953\u20131965", ", 1966\u20131980", " in the Hungarian Archives",
                         " in Chinese Foreign Ministry Records", " (Soviet Sources)", ": Selected Cables",
                         " in Party Records")
COLLECTION_DESCRIPTIONS = (
    "Documents from several archives on {subject}. Most come from {archive} and were translated for the "
    "program; a few are summaries of files that have not been fully declassified.",
    "This collection brings together reports, cables and conversation records on {subject}, covering "
    "the period from the early 1950s to the end of the 1970s.",
    "A selection of records about {subject}, drawn largely from {archive}. The documents show how "
    "officials on each side counted, registered and moved people across borders.",
)

# --------------------------------------------------------------------------------------
# Encyclopedia articles: invented prose on the same history, in a wiki mirror's shape.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSpec:
    title: str
    lead: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    links: tuple[str, ...]


ARTICLES = (
    ArticleSpec(
        "Return migration of Koreans from Japan",
        "arranged by the Red Cross societies of Japan and North Korea, brought Korean residents of Japan "
        "and their families to North Korea from the end of the 1950s, most of them in the first years.",
        (("", ("The programme was arranged between the Red Cross societies of the two countries, with the "
               "international committee acting as an intermediary.",
               "Ships left from Niigata and docked at Chongjin.")),
         ("Origins", ("Many of the Koreans in Japan had come from the southern provinces of the peninsula "
                      "before 1945.", "Unemployment and discrimination made return attractive to some.",
                      "The association of Korean residents campaigned for the sailings.")),
         ("The sailings", ("The first ship sailed in December 1959.",
                           "Numbers fell sharply after the early 1960s as letters from returnees reached "
                           "their relatives.", "Sailings were suspended and resumed several times.")),
         ("Aftermath", ("Japanese spouses who went with their husbands found it hard to visit Japan.",
                        "Some returnees later left North Korea again.")),),
        ("ko:재일 조선인 귀국 사업", "ja:在日朝鮮人の帰還事業", "ru:Репатриация корейцев из Японии")),
    ArticleSpec(
        "Sakhalin Koreans",
        "residents of Sakhalin Island of Korean descent, are mostly the children and grandchildren of "
        "workers brought to the island when its southern half was under Japanese rule.",
        (("", ("After 1945 most Japanese residents were evacuated, but the Korean workers were left "
               "behind.",)),
         ("Status after the war", ("Many remained stateless for decades rather than take Soviet or North "
                                   "Korean citizenship.", "Schools teaching in Korean were closed in the "
                                   "1960s.")),
         ("Return to the south", ("Permanent return to South Korea became possible only at the end of the "
                                  "Cold War.", "Elderly first-generation residents were given priority."))),
        ("ko:사할린 한인", "ru:Сахалинские корейцы", "ja:樺太残留朝鮮人")),
    ArticleSpec(
        "Koryo-saram",
        "the name ethnic Koreans in the post-Soviet states use for themselves, covers a community of "
        "several hundred thousand people.",
        (("", ("Most of them live in Uzbekistan, Kazakhstan and Russia.",
               "Their language, Koryo-mal, descends from the dialects of the north-east of the peninsula.")),
         ("Settlement", ("Korean farmers settled in the Russian Far East from the 1860s.",
                         "In 1937 the whole community was moved to Central Asia.")),
         ("Soviet period", ("Collective farms run by Koreans became known for rice and onion growing.",
                            "A number of Soviet Koreans were sent to work in North Korea after 1945.")),
         ("Present day", ("Many younger Koryo-saram speak Russian as their first language.",))),
        ("ko:고려인", "ru:Корё-сарам", "uz:Koreyslar")),
    ArticleSpec(
        "Yanbian Korean Autonomous Prefecture",
        "in the east of Jilin province in China, is home to a large part of the country's ethnic Korean "
        "population.",
        (("", ("The prefecture borders North Korea along the Tumen River.",)),
         ("History", ("Korean farmers crossed the river in large numbers in the late nineteenth century.",
                      "The prefecture was founded in 1952.",
                      "In the late 1950s and early 1960s many residents left for North Korea.")),
         ("Population", ("The share of ethnic Koreans in the prefecture has fallen steadily.",
                         "Labour migration to South Korea has grown since the 1990s."))),
        ("ko:연변 조선족 자치주", "zh:延边朝鲜族自治州", "ru:Яньбянь-Корейский автономный округ")),
    ArticleSpec(
        "Soviet Koreans in North Korea",
        "ethnic Koreans from the Soviet Union, were sent to the northern half of the peninsula after 1945 "
        "to staff its new party and state institutions.",
        (("", ("Several hundred of them held posts in the party, the army and the ministries.",)),
         ("Citizenship question", ("In the mid-1950s they were asked to choose between Soviet and North "
                                   "Korean citizenship.", "Some chose to keep both.")),
         ("Departure", ("After the purges of the late 1950s most of them returned to the Soviet Union.",
                        "Their families often followed them years later."))),
        ("ko:소련계 한인", "ru:Советские корейцы в КНДР")),
    ArticleSpec(
        "North Korean students in Eastern Europe",
        "mostly sent abroad in the 1950s, studied at universities and technical schools of the socialist "
        "countries.",
        (("", ("The largest groups studied in the Soviet Union, Czechoslovakia, Poland and Hungary.",)),
         ("Recall", ("In 1959 the students were ordered home.",
                     "A few of them asked for asylum and stayed abroad.")),
         ("Legacy", ("Their marriages with local women left families divided for decades.",))),
        ("ko:동유럽의 북한 유학생", "hu:Észak-koreai diákok Magyarországon", "pl:Studenci z Korei Północnej w Polsce")),
    ArticleSpec(
        "Korean War orphans in Eastern Europe",
        "sent abroad during the Korean War, were cared for in special schools in Eastern Europe until the "
        "end of the 1950s.",
        (("", ("Poland and Romania received some of the largest groups.",)),
         ("Schools", ("The children were taught by Korean and local teachers.",
                      "Local staff remembered them for decades.")),
         ("Return", ("The children were brought back to North Korea by the end of the 1950s.",))),
        ("ko:동유럽의 한국 전쟁 고아", "pl:Koreańskie sieroty w Polsce", "ro:Orfanii coreeni din România")),
    ArticleSpec(
        "North Korean nationality law",
        "first codified in 1963, governs who is a citizen of the Democratic People's Republic of Korea and "
        "how that status is acquired or lost.",
        (("", ("The first nationality law was adopted in 1963.",)),
         ("Earlier practice", ("Before 1963 the question was settled by decrees and by conventions with "
                               "neighbouring states.", "Dual citizenship with the Soviet Union was "
                               "tolerated for a time.")),
         ("Later amendments", ("The law has been amended several times since the 1990s.",))),
        ("ko:조선민주주의인민공화국 국적법", "ru:Закон о гражданстве КНДР")),
)
REFERENCE_AUTHORS = ("Hwang, Min-jae", "Petrova, Olga", "Sato, Hiroko", "Lindqvist, Erik",
                     "Cho, Yoon-hee", "Baranov, Pavel", "Nagy, Katalin", "Li, Xuemei", "Osborne, Ruth")
REFERENCE_TITLES = ("Ships to the North: Return Migration in the Cold War",
                    "Citizens of Two States: Soviet Koreans after 1945", "The River Border",
                    "Stateless on the Island", "Papers and Passports in the Socialist Bloc",
                    "Children of the War: Orphans Abroad, 1951\u20131959",
                    "The Red Cross and the Divided Peninsula", "Diaspora and the Party")
REFERENCE_PLACES = ("Seoul", "Moscow", "Tokyo", "Budapest", "London", "Ithaca", "Honolulu")
LICENCE_NOTICES = (
    "NOTICE: This article uses text from Wikipedia under the Creative Commons Attribution-ShareAlike "
    "licence; it may have been edited, shortened or extended here. (view authors)",
    "IMPORTANT: Content on this page was taken from Wikipedia (Creative Commons licensed) and may be "
    "refactored or abridged. (view authors)",
)
CLOSING_LICENCE = "Community content is available under CC-BY-SA unless otherwise noted."

# Damaged and foreign files.
UNRECOGNISED_TEXTS = (
    "403 Forbidden\n\nYou do not have permission to view this resource on this server.\n\n"
    "Request ID: {hex}\n",
    "Checking your browser before you continue\n\nThis check is automatic and will take a few seconds.\n\n"
    "Ray ID: {hex}\n",
    "Subscribe to our newsletter\n\nEmail address\n\nSign up\n\nPrivacy policy | Terms of use\n",
    "id,file,bytes,status\n1,page-{n}.txt,0,failed\n2,page-{m}.txt,0,failed\n3,index.txt,{n},ok\n",
)
JS_TOKENS = ("function", "return", "var", "this", "window", "null", "true", "push", "length",
             "document", "apply", "call", "prototype", "e", "t", "n", "r", "o", "i")

# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocDate:
    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @functools.cached_property
    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"


@dataclass(frozen=True)
class Reference:
    archive: str
    text: str
    parts: dict


@dataclass
class Document:
    key: str
    record_id: int
    title: str
    date: DocDate
    summary: str
    theme: str
    origin: str
    doc_type: str
    language: str  # "" when the page shows the label with no value
    reference: Reference
    translators: list[str]
    translator_sentence: str
    funders: list[str]
    authors: list[str]
    places: list[str]
    subjects: list[str]
    uploaded: str
    slots: dict  # names, places and the topic, reused by the body
    trap: str | None = None  # "series" or "number" for the deliberate look-alikes
    address: str = ""  # the page's word address (/document/<address>), unique like the site's
    node: int = 0  # the site's internal page number (/node/<node>), not the record id


_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                       "\u2014": "-", NBSP: " "})


def folded_title(title: str) -> str:
    """The form under which two printed titles count as one: quotes, dashes, case, spaces folded."""
    return " ".join(title.translate(_FOLD).lower().split())


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens, as in the site's addresses and our file names."""
    ascii_text = unicodedata.normalize("NFKD", folded_title(text)).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)[:limit].strip("-")


def day_first(date: DocDate) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def random_date(rng: random.Random, precision: str) -> DocDate:
    year = int(rng.triangular(1945, 1992, 1961))
    if precision == "year":
        return DocDate(year)
    month = rng.randint(1, 12)
    if precision == "month":
        return DocDate(year, month)
    return DocDate(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def random_precision(rng: random.Random) -> str:
    roll = rng.random()
    return "day" if roll < 0.86 else "month" if roll < 0.95 else "year"


def random_reference(rng: random.Random, origin: str, date: DocDate) -> Reference:
    if origin == "chinese":
        number = f"{rng.choice((105, 106, 109, 118))}-{rng.randint(1, 2400):05d}-{rng.randint(1, 12):02d}"
        return Reference("PRC FMA", f"PRC FMA {number}", {"file_number": number})
    if origin == "hungarian":
        year = date.year if date.year >= 1950 else 1957
        box, item = rng.randint(1, 14), rng.randint(1, 9)
        text = (f"MOL, XIX-J-1-j Korea, {year}, {box}. doboz, {item}/{rng.choice(('a', 'b', 'bc', 'f'))}, "
                f"{rng.randint(1, 9999):06d}/{year}")
        return Reference("MOL", text, {})
    fond, opis, delo = rng.choice((102, 5446, 11, 102)), rng.randint(9, 36), rng.randint(1, 60)
    first = rng.randint(1, 240)
    pages = f"{first}-{first + rng.randint(2, 40)}"
    roll = rng.random()
    if roll < 0.4:
        text = f"AVPRF fond {fond:04d}, opis {opis}, delo {delo}, p.{pages}"
        return Reference("AVPRF", text, {"fond": f"{fond:04d}", "opis": str(opis), "delo": str(delo),
                                         "pages": pages})
    if roll < 0.7:
        papka = rng.randint(20, 99)
        text = f"AVPRF F. {fond:04d}, Op. {opis}, P. {papka}, Delo {delo}, Listy {pages}"
        return Reference("AVPRF", text, {"fond": f"{fond:04d}", "opis": str(opis), "papka": str(papka),
                                         "delo": str(delo), "pages": pages})
    fond, opis, delo = rng.choice((5, 4, 89)), rng.randint(10, 49), rng.randint(100, 999)
    return Reference("RGANI", f"RGANI Fond {fond}, Opis {opis}, Delo {delo}",
                     {"fond": str(fond), "opis": str(opis), "delo": str(delo)})


def random_translation(rng: random.Random, origin: str) -> tuple[list[str], str]:
    """Translators and the sentence that names them ('' for documents needing none)."""
    roll = rng.random()
    if roll < 0.06:
        return [], ""
    first = rng.choice(TRANSLATORS)
    if roll < 0.2:
        second = rng.choice([t for t in TRANSLATORS if t != first])
        return [first, second], f"Translated by {first} and {second}."
    if roll < 0.4 and origin != "soviet":
        return [first], f"Translated for NKIDP by {first}."
    return [first], f"Translated by {first}."


def random_funders(rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.55:
        return []
    return rng.sample(FUNDERS, 1 if roll < 0.85 else 2)


def funder_line(funders: list[str]) -> str:
    names = funders[0] if len(funders) == 1 else " and ".join(funders)
    return f"This document was made possible with support from {names}"


def random_slots(rng: random.Random, theme_name: str, date: DocDate) -> dict:
    theme = THEMES[theme_name]
    group, action = rng.choice(theme.groups), rng.choice(ACTIONS)
    where = f" in {rng.choice(theme.places)}" if rng.random() < 0.25 else ""
    topic, topic_l = f"{action} {group}{where}", f"{action.lower()} {group}{where}"
    hu, hu2 = rng.sample(HUNGARIANS, 2)
    cn_office, cn_office2 = rng.sample(CHINESE_OFFICES, 2)
    amb = rng.choice(SOVIET_AMBASSADORS)
    straight = rng.random() < 0.7
    return {
        "topic": topic, "topic_l": topic_l, "group": group,
        "place": rng.choice(theme.places), "amb": amb, "amb_s": amb.split()[-1],
        "sov": rng.choice(SOVIET_OFFICIALS), "sov_role": rng.choice(SOVIET_ROLES),
        "kor": rng.choice(KOREAN_OFFICIALS), "kor_role": rng.choice(KOREAN_ROLES),
        "cn": rng.choice(CHINESE_OFFICIALS), "cn_role": rng.choice(CHINESE_ROLES),
        "cn_office": cn_office, "cn_office2": cn_office2, "cn_body": rng.choice(CHINESE_BODIES),
        "cn_city": rng.choice(CITIES_CN), "hu": hu, "hu2_s": hu2.split()[-1],
        "q": "'" if straight else "\u2018", "q_end": "'" if straight else "\u2019",
        "bulletin": rng.choice(BULLETINS), "clause": rng.choice(BULLETIN_CLAUSES),
        "quoted": rng.choice(QUOTED_TOPICS).format(topic=topic),
        "n": rng.randint(2, 60), "dayfirst": day_first(date) if date.day else "",
    }


def summary_text(rng: random.Random, form: TitleForm, slots: dict) -> str:
    extra = rng.choice(("", "", f" in {slots['place']}", f" after {rng.choice(EVENTS)}"))
    aside, aside2 = rng.sample(ASIDES, 2)
    values = {**slots, "actor": form.actor.format(**slots), "other": form.other.format(**slots),
              "extra": extra, "aside": aside, "aside2": aside2, "proposal": rng.choice(PROPOSALS),
              "type_l": form.doc_type.lower()}
    return rng.choice(SUMMARY_FORMS).format(**values)


def new_document(rng: random.Random, form: TitleForm, date: DocDate, slots: dict, theme: str,
                 title: str | None = None, trap: str | None = None) -> Document:
    title = title or form.title.format(**slots).replace("  ", " ")
    translators, sentence = random_translation(rng, form.origin)
    author = form.actor.format(**slots)
    language = LANGUAGES[form.origin] if rng.random() > 0.15 else ""
    places = [*rng.sample(THEMES[theme].countries, min(2, len(THEMES[theme].countries)))]
    if rng.random() < 0.2:
        places.append(rng.choice(PLACES_EXTRA))
    return Document(
        key="", record_id=0, title=title, date=date, summary=summary_text(rng, form, slots), theme=theme,
        origin=form.origin, doc_type=form.doc_type, language=language,
        reference=random_reference(rng, form.origin, date), translators=translators,
        translator_sentence=sentence, funders=random_funders(rng),
        authors=[author] if not author.startswith("The ") and rng.random() < 0.5 else [],
        places=places, subjects=rng.sample(THEMES[theme].subjects, rng.randint(1, 3)),
        uploaded=f"{rng.randint(2011, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        slots=slots, trap=trap)


def single_documents(rng: random.Random) -> list[Document]:
    theme = rng.choice(list(THEMES))
    form = rng.choice(TITLE_FORMS)
    date = random_date(rng, "day" if form.needs_day else random_precision(rng))
    return [new_document(rng, form, date, random_slots(rng, theme, date), theme)]


def series_documents(rng: random.Random) -> list[Document]:
    """One title on several dates: distinct documents that only the date tells apart."""
    origin, doc_type, title = rng.choice(SERIES_TITLES)
    form = TitleForm(origin, False, doc_type, title, "The embassy", "the ministry")
    theme = rng.choice(("japan", "asylum", "students", "china", "soviet"))
    docs = []
    for _ in range(rng.randint(3, 6)):
        date = random_date(rng, "day" if rng.random() < 0.9 else "month")
        docs.append(new_document(rng, form, date, random_slots(rng, theme, date), theme, title, "series"))
    return docs


def number_pair_documents(rng: random.Random) -> list[Document]:
    """Two bulletins of one office on one date whose titles differ only by their number."""
    theme = "china"
    date = random_date(rng, "day")
    slots = random_slots(rng, theme, date)
    docs = []
    for step in (0, 1):
        numbered = {**slots, "n": slots["n"] + step}
        title = BULLETIN_FORM.title.format(**numbered)
        docs.append(new_document(rng, BULLETIN_FORM, date, numbered, theme, title, "number"))
    return docs


def date_prefixes(iso: str) -> tuple[str, ...]:
    """'1959-10-05' -> ('1959', '1959-10', '1959-10-05'): the coarser dates it could be printed as."""
    return tuple(iso[:n] for n in (4, 7, 10) if n <= len(iso))


def distinguishable(batch: list[Document], taken: dict[str, tuple[set, set]]) -> bool:
    """No two documents share a title on dates that could be one date ('1959-10' and '1959-10-05').

    `taken` maps a folded title to (dates, every prefix of those dates)."""
    seen: dict[str, tuple[set, set]] = {}
    for doc in batch:
        title = folded_title(doc.title)
        if title not in seen:
            dates, prefixes = taken.get(title, (set(), set()))
            seen[title] = (set(dates), set(prefixes))
        dates, prefixes = seen[title]
        iso = doc.date.iso
        if iso in prefixes or any(p in dates for p in date_prefixes(iso)):
            return False
        dates.add(iso)
        prefixes.update(date_prefixes(iso))
    taken.update(seen)
    return True


def make_documents(rng: random.Random, count: int) -> list[Document]:
    """`count` documents, sorted by date, keyed d000001..., with unique title+date and record ids."""
    makers = [series_documents, number_pair_documents]  # every corpus gets one of each trap
    docs: list[Document] = []
    taken: dict[str, tuple[set, set]] = {}
    while len(docs) < count:
        if makers:
            maker = makers.pop(0)
        else:
            roll = rng.random()
            maker = (series_documents if roll < 0.015 else number_pair_documents if roll < 0.03
                     else single_documents)
        batch = maker(rng)
        if len(docs) + len(batch) > count or not distinguishable(batch, taken):
            continue
        docs.extend(batch)
    docs.sort(key=lambda d: (d.date.iso, d.title))
    record_ids = rng.sample(range(100_000, 100_000 + 12 * count + 60_000), count)
    nodes = rng.sample(range(10_000, 10_000 + 4 * count + 90_000), count)
    addresses: Counter = Counter()
    for number, (doc, record_id, node) in enumerate(zip(docs, record_ids, nodes), 1):
        doc.key, doc.record_id, doc.node = f"d{number:06d}", record_id, node
        words = slug(doc.title, 80)
        doc.address = words if not addresses[words] else f"{words}-{addresses[words]}"
        addresses[words] += 1
    return docs


def nearby_day(rng: random.Random, year: int) -> DocDate:
    """A day in the document's own year, for dates mentioned in its body."""
    month = rng.randint(1, 12)
    return DocDate(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def body_paragraphs(doc: Document, seed: int) -> list[tuple[str, bool]]:
    """The body as (paragraph, latin) pairs; latin paragraphs survive a Windows-1252 capture."""
    rng = random.Random(f"{seed}/body/{doc.key}")
    year = doc.date.year
    earlier, later = sorted((nearby_day(rng, year) for _ in range(2)), key=lambda d: d.iso)
    values = {**doc.slots, "n": rng.randint(3, 480), "m": rng.randint(2, 40), "year": year,
              "dayfirst": day_first(earlier), "dayfirst2": day_first(later),
              "roman": f"{later.day}.{ROMAN[later.month - 1]}.{later.year}",
              "hu_date": f"{earlier.year}. {HU_MONTHS[earlier.month - 1]} {earlier.day}.",
              "office": doc.slots["cn_office"], "aside": rng.choice(ASIDES),
              "sign": doc.slots["sov"], "role_upper": doc.slots["sov_role"].upper()}
    paragraphs = [(h.format(**values), True) for h in rng.sample(BODY_HEADERS, rng.randint(1, 3))]
    sentences = rng.sample(BODY_SENTENCES, len(BODY_SENTENCES))
    while len(sentences) >= 2:
        take = min(len(sentences), rng.randint(2, 4))
        paragraphs.append((" ".join(s.format(**values) for s in sentences[:take]), True))
        sentences = sentences[take:] if rng.random() < 0.75 else []
    if rng.random() < 0.35:
        foreign = rng.choice(FOREIGN_LINES[doc.origin]).format(**values)
        paragraphs.insert(rng.randint(1, len(paragraphs)), (foreign, False))
    paragraphs.append((rng.choice(BODY_CLOSINGS).format(**values), True))
    return paragraphs


# --------------------------------------------------------------------------------------
# Plan: which capture shows which documents, in which layout and variant
# --------------------------------------------------------------------------------------


@dataclass
class Entry:
    doc: Document
    dated: bool = True
    summarised: bool = True
    link: str = "id"  # HTML listings: "id", "slug" or "node" address


@dataclass
class Collection:
    title: str
    description: str
    members: list[Document]
    paths: list[str] = field(default_factory=list)


@dataclass
class Capture:
    path: str
    layout: str | None  # a layout name of schemas/records.json, None when nothing can be read
    fmt: str  # "text", "html" or "bytes"
    variant: str
    entries: list[Entry] = field(default_factory=list)
    collection: Collection | None = None
    article: ArticleSpec | None = None
    bad_kind: str | None = None
    cut_at: int | None = None  # 1-based entry whose title truncation cuts
    shows_record_id: bool = False
    cp1252: bool = False
    total: int = 0  # search listings: the T of 'N - M of T'; damaged files: a size or number
    first: int = 1  # search listings: the N of 'N - M of T'
    related: Document | None = None  # pages without chrome: whose summary opens the page
    listed_id: bool = True  # HTML document pages: whether the dl lists the Record ID
    references: tuple[list[str], list[str]] = ([], [])  # articles: bulleted and numbered references
    extras: frozenset[str] = frozenset()  # page furniture drawn by plan_extras (EXTRAS)
    see_also: list[Document] = field(default_factory=list)  # documents a page lists as related


@dataclass(frozen=True)
class Mix:
    """Proportions of one kind of corpus; counts never drop below one of each variant."""
    page_rate: float
    second_page_rate: float
    page_layouts: tuple[float, float, float]  # new text, old text, html
    no_chrome_rate: float
    collection_share: float
    collection_size: tuple[int, int]
    recapture_rate: float
    search_share: float
    search_page_size: tuple[int, ...]
    search_results: tuple[int, int]
    page_capture_rate: float
    html_listing_rate: float
    count_only_rate: float
    topic_share: float
    topic_size: tuple[int, int]
    dashes_rate: float
    no_summary_rate: float
    undated_rate: float
    bad_rate: float
    cp1252_rate: float
    articles_per_document: float
    enormous_repeats: tuple[int, int]  # the enormous line: this many ~8 kB chunks
    extras_rate: float = 0.0  # each kind of page furniture of EXTRAS, on this share of its pages


MIXES = {
    "harvest": Mix(page_rate=0.6, second_page_rate=0.08, page_layouts=(0.45, 0.33, 0.22),
                   no_chrome_rate=0.06, collection_share=0.5, collection_size=(8, 30), recapture_rate=0.1,
                   search_share=0.45, search_page_size=(10, 20), search_results=(12, 120),
                   page_capture_rate=0.7, html_listing_rate=0.2, count_only_rate=0.15, topic_share=0.2,
                   topic_size=(8, 25), dashes_rate=0.15, no_summary_rate=0.12, undated_rate=0.02,
                   bad_rate=0.03, cp1252_rate=0.06, articles_per_document=1 / 2500,
                   enormous_repeats=(16, 64), extras_rate=0.1),
    "sample": Mix(page_rate=0.3, second_page_rate=0.2, page_layouts=(0.4, 0.35, 0.25),
                  no_chrome_rate=0.2, collection_share=0.4, collection_size=(10, 10), recapture_rate=1.0,
                  search_share=0.5, search_page_size=(5,), search_results=(12, 12),
                  page_capture_rate=1.0, html_listing_rate=0.34, count_only_rate=0.34, topic_share=0.75,
                  topic_size=(5, 7), dashes_rate=0.5, no_summary_rate=0.15, undated_rate=0.05,
                  bad_rate=0.0, cp1252_rate=0.1, articles_per_document=0.0,
                  enormous_repeats=(9, 9)),
}
BAD_KINDS = ("empty", "binary", "unrecognised", "enormous_line")  # files made only of damage
# Page furniture seen on real pages around the records, by the kind of page that prints it
# (page_kind, then the variants it applies to). None of it is a record.
EXTRAS = {
    "one_line_results": ("listing_search", {"full"}),  # "Results: 1 - 20 of 135" on one line
    "site_footer": ("listing_old", {"collection", "collection_recapture", "no_collection"}),  # flush-left links after the entries
    "wrapped_citation": ("document_old", {"old_full", "old_with_url"}),  # the citation over several lines
    "related_documents": ("document_old", {"old_full", "old_with_url"}),  # a list of other documents
    "summary_heading": ("document_new", {"new_full"}),  # a "Summary" heading above the summary
    "related_aside": ("html", {"html_id", "html_slug", "html_node"}),  # aside of related links, footer
    "web_archive": ("html", {"html_id", "html_slug", "html_node"}),  # a Wayback Machine copy
}


class Namer:
    """Unique, deterministic paths spread over a few harvest folders."""

    OLD, NEW, CONTRIB = "harvest-2016-old-site", "harvest-2023-new-site", "contributed"
    CONTRIBUTORS = ("seminar-2021", "field-notes", "scans-budapest")

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.count = 0
        self.used: set[str] = set()

    def _unique(self, path: str) -> str:
        while path in self.used:
            stem, dot, ext = path.rpartition(".")
            path = f"{stem}-{self.count}.{ext}"
        self.used.add(path)
        return path

    def numbered(self, folder: str, ext: str = "txt") -> str:
        self.count += 1
        return self._unique(f"{folder}/{self.count:05d}_{self.rng.getrandbits(64):016x}.{ext}")

    def sharded(self, folder: str, ext: str = "txt") -> str:
        self.count += 1
        return self._unique(f"{folder}/{self.count // 400:03d}/{self.count:05d}.{ext}")

    def named(self, folder: str, name: str) -> str:
        self.count += 1
        return self._unique(f"{folder}/{name}")


def chosen(rng: random.Random, items: list, rate: float, minimum: int = 1) -> list:
    """round(rate * len) of the items (at least `minimum` when there are any), in their own order."""
    count = min(len(items), max(minimum, round(rate * len(items)))) if items else 0
    picked = set(rng.sample(range(len(items)), count))
    return [item for i, item in enumerate(items) if i in picked]


def undatable(doc: Document, unique_titles: set[str]) -> bool:
    """Whether a listing entry may drop its date line: only when its title alone names one document."""
    return doc.trap is None and folded_title(doc.title) in unique_titles


def listing_entries(rng: random.Random, docs: list[Document], mix: Mix,
                    unique_titles: set[str]) -> list[Entry]:
    """Older-listing entries, a few without a summary or (when the title allows it) without a date."""
    entries = []
    for doc in docs:
        undated = rng.random() < mix.undated_rate and undatable(doc, unique_titles)
        entries.append(Entry(doc, dated=not undated, summarised=rng.random() >= mix.no_summary_rate))
    return entries


def collection_title(rng: random.Random, theme: str, used: set[str]) -> str:
    stem = rng.choice(THEMES[theme].collections)
    title = stem + rng.choice(COLLECTION_QUALIFIERS)
    part = 2
    while slug(title) in used:
        title, part = f"{stem} (Part {part})", part + 1
    used.add(slug(title))
    return title


def collection_description(rng: random.Random, members: list[Document]) -> str:
    archive = Counter(d.reference.archive for d in members).most_common(1)[0][0]
    return rng.choice(COLLECTION_DESCRIPTIONS).format(subject=THEMES[members[0].theme].about,
                                                      archive=ARCHIVE_NAMES[archive])


def collection_listings(rng, docs, mix, namer, unique_titles) -> list[Capture]:
    """Older-site collection pages: windows over the documents sorted by theme and date."""
    ordered = sorted(docs, key=lambda d: (d.theme, d.date.iso, d.key))
    low, high = mix.collection_size
    count = max(1, round(len(docs) * mix.collection_share / ((low + high) / 2)))
    used: set[str] = set()
    captures = []
    for _ in range(count):
        size = min(len(ordered), rng.randint(low, high))
        start = rng.randint(0, len(ordered) - size)
        members = ordered[start:start + size]
        if rng.random() < 0.8:
            members = sorted(members, key=lambda d: (d.date.iso, d.key))
        else:  # a curated order: the listing's own order is the collection's order
            members = rng.sample(members, len(members))
        title = collection_title(rng, members[0].theme, used)
        collection = Collection(title, collection_description(rng, members), members)
        captures.append(Capture(namer.named(f"{namer.OLD}/collections", f"{slug(title)}.txt"), "listing_old",
                                "text", "collection", listing_entries(rng, members, mix, unique_titles),
                                collection=collection))
    for capture in chosen(rng, list(captures), mix.recapture_rate, minimum=0):
        collection = capture.collection
        captures.append(Capture(namer.named("recrawl-2019/collections", f"{slug(collection.title)}.txt"),
                                "listing_old", "text", "collection_recapture",
                                listing_entries(rng, collection.members, mix, unique_titles),
                                collection=collection))
    for capture in captures:
        capture.collection.paths.append(capture.path)
    return captures


def search_listings(rng, docs, mix, namer) -> list[Capture]:
    """Paged search results: newer-site text pages (some with only the count line) and, for some
    result sets, older-site pages saved as HTML (ul/li entries, read like an older listing)."""
    low, high = mix.search_results
    queries = max(1, round(len(docs) * mix.search_share / ((low + high) / 2)))
    by_theme: dict[str, list[Document]] = {}
    for doc in docs:
        by_theme.setdefault(doc.theme, []).append(doc)
    captures = []
    for number in range(queries):
        theme = rng.choice(sorted(by_theme))
        pool = by_theme[theme] if len(by_theme[theme]) >= low else docs
        results = rng.sample(pool, min(len(pool), rng.randint(low, high)))
        results.sort(key=lambda d: (d.date.iso, d.key))
        size = rng.choice(mix.search_page_size)
        folder = f"{namer.NEW}/search/{slug(rng.choice(THEMES[theme].subjects))}-{number + 1:04d}"
        for first in range(0, len(results), size):
            if rng.random() >= mix.page_capture_rate and first:
                continue
            page = results[first:first + size]
            entries = [Entry(d, summarised=rng.random() >= 0.03) for d in page]
            captures.append(Capture(namer.named(folder, f"page-{first // size + 1:02d}.txt"),
                                    "listing_search", "text", "full", entries, total=len(results),
                                    first=first + 1))
    for capture in chosen(rng, captures, mix.html_listing_rate):
        capture.layout, capture.fmt, capture.variant = "listing_old", "html", "html"
        capture.path = capture.path.replace(namer.NEW, namer.OLD, 1)[:-4] + ".html"
        for entry in capture.entries:
            entry.link = rng.choices(("id", "slug", "node"), (0.8, 0.12, 0.08))[0]
    texts = [c for c in captures if c.fmt == "text"]
    for capture in chosen(rng, texts, mix.count_only_rate):
        capture.variant = "count_only"
    return captures


def topic_listings(rng, docs, mix, namer, unique_titles) -> list[Capture]:
    """Older-site listings without a collection block, some with dash lines instead of bullets."""
    low, high = mix.topic_size
    count = max(2, round(len(docs) * mix.topic_share / ((low + high) / 2)))
    chunks = [sorted(rng.sample(docs, min(len(docs), rng.randint(low, high))),
                     key=lambda d: (d.date.iso, d.key)) for _ in range(count)]
    captures = plain_listings(rng, chunks, mix, namer, unique_titles)
    for capture in chosen(rng, captures, mix.dashes_rate):
        capture.variant = "dashes"
    return captures


def plain_listings(rng, chunks, mix, namer, unique_titles) -> list[Capture]:
    return [Capture(namer.numbered(f"{namer.OLD}/topics"), "listing_old", "text", "no_collection",
                    listing_entries(rng, chunk, mix, unique_titles)) for chunk in chunks]


def mark_truncations(rng, captures: list[Capture], count: int) -> None:
    """Cut some non-collection listings in the middle of one entry's title."""
    candidates = [c for c in captures if c.variant in ("no_collection", "dashes", "full", "count_only")
                  and c.fmt == "text" and len(c.entries) >= 3]
    for capture in rng.sample(candidates, min(count, len(candidates))):
        capture.cut_at = rng.randint(2, len(capture.entries))
        capture.bad_kind = "truncated"


def document_pages(rng, docs, mix, namer) -> list[Capture]:
    captures = []
    layouts = ("document_new", "document_old", "html")
    for doc in docs:
        if rng.random() >= mix.page_rate:
            continue
        kinds = [rng.choices(layouts, mix.page_layouts)[0]]
        if rng.random() < mix.second_page_rate:
            kinds.append(rng.choice([k for k in layouts if k != kinds[0]]))
        captures.extend(document_page(rng, doc, kind, namer) for kind in kinds)
    ensure_page_layouts(rng, captures, layouts, namer)
    by_theme: dict[str, list[Document]] = {}
    for doc in docs:
        by_theme.setdefault(doc.theme, []).append(doc)
    for capture in chosen(rng, [c for c in captures if c.variant == "new_full"], mix.no_chrome_rate):
        capture.variant = "no_chrome"
        capture.path = namer.numbered(f"{namer.CONTRIB}/{rng.choice(namer.CONTRIBUTORS)}")
        own = capture.entries[0].doc
        capture.related = rng.choice(by_theme[own.theme]) if rng.random() < 0.5 else own
    return captures


def page_kind(capture: Capture) -> str:
    return "html" if capture.fmt == "html" else capture.layout


def ensure_page_layouts(rng, captures: list[Capture], layouts: tuple[str, ...], namer: Namer) -> None:
    """Small corpora still get one document page of each kind, taken from the commonest kind."""
    for kind in layouts:
        kinds = [page_kind(c) for c in captures]
        if kind in kinds or len(captures) < len(layouts):
            continue
        commonest = Counter(kinds).most_common(1)[0][0]
        at = rng.choice([i for i, k in enumerate(kinds) if k == commonest])
        captures[at] = document_page(rng, captures[at].entries[0].doc, kind, namer)


def document_page(rng, doc: Document, kind: str, namer: Namer) -> Capture:
    if kind == "document_new":
        return Capture(namer.sharded(f"{namer.NEW}/documents"), "document_new", "text", "new_full",
                       [Entry(doc)], shows_record_id=True)
    if kind == "document_old":
        with_url = rng.random() < 0.4
        return Capture(namer.numbered(f"{namer.OLD}/documents/{rng.randint(0, 9)}"), "document_old", "text",
                       "old_with_url" if with_url else "old_full", [Entry(doc)], shows_record_id=with_url)
    canonical = rng.choices(("id", "slug", "node"), (0.7, 0.15, 0.15))[0]
    listed_id = rng.random() < 0.85
    return Capture(namer.sharded(f"{namer.NEW}/pages", "html"), "document_new", "html",
                   f"html_{canonical}" + ("" if listed_id else "_no_dl_id"), [Entry(doc, link=canonical)],
                   shows_record_id=canonical == "id" or listed_id, listed_id=listed_id)


def attributed(capture: Capture) -> list[tuple[int, Entry]]:
    """(position, entry) of the records a correct parser can attribute in this capture."""
    last = len(capture.entries) if capture.cut_at is None else capture.cut_at - 1
    return list(enumerate(capture.entries[:last], 1))


def coverage_listings(rng, docs, captures, mix, namer, unique_titles) -> list[Capture]:
    """Older-site listings for the documents no capture shows yet, so every document has a record."""
    shown = {e.doc.key for c in captures for _, e in attributed(c)}
    missing = [d for d in docs if d.key not in shown]
    low, high = mix.topic_size
    chunks, start = [], 0
    while start < len(missing):
        size = rng.randint(low, high)
        chunks.append(missing[start:start + size])
        start += size
    return plain_listings(rng, chunks, mix, namer, unique_titles)


def article_captures(rng, docs_count: int, mix: Mix, namer) -> list[Capture]:
    count = min(len(ARTICLES), max(1, round(docs_count * mix.articles_per_document)))
    return [Capture(namer.named("wiki-mirror", f"{slug(spec.title)}.txt"), "article", "text", "article",
                    article=spec, references=article_references(rng)) for spec in rng.sample(ARTICLES, count)]


def damaged_captures(rng, counts: dict[str, int], namer, enormous: tuple[int, int]) -> list[Capture]:
    """Files made only of damage. Their bytes all differ (one zero-byte file, whitespace and NUL runs of
    distinct lengths), so none of them is also a byte-for-byte duplicate of another file."""
    folders = (f"{namer.OLD}/documents/{rng.randint(0, 9)}", f"{namer.NEW}/documents/000", "downloads/failed")
    nul_sizes = iter(rng.sample(range(512, 65_536), counts["binary"]))
    captures = []
    for kind in BAD_KINDS:
        for number in range(counts[kind]):
            variant = {"binary": ("png", "nul")[number % 2],
                       "empty": ("blank", "zero")[number == 0]}.get(kind, kind)
            size = 0
            if variant in ("blank", "nul"):
                size = number if variant == "blank" else next(nul_sizes)
            elif variant == "enormous_line":
                size = rng.randint(*enormous)
            ext = "png" if variant == "png" and rng.random() < 0.5 else "txt"
            captures.append(Capture(namer.numbered(rng.choice(folders), ext), None, "bytes", variant,
                                    bad_kind=kind, total=size))
    return captures


def mark_cp1252(rng, captures: list[Capture], rate: float) -> None:
    """Older-site text captures saved in Windows-1252: only those whose printed words allow it."""
    def fits(capture: Capture) -> bool:
        words = " ".join(f"{e.doc.title} {e.doc.summary} {e.doc.reference.text} "
                         f"{' '.join(e.doc.translators + e.doc.funders)}" for e in capture.entries)
        if capture.collection:
            words += capture.collection.title + capture.collection.description
        try:
            words.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return any(q in words for q in "'\u2019\u2018\"\u201c\u201d")

    candidates = [c for c in captures if c.layout in ("listing_old", "document_old") and c.fmt == "text"
                  and c.cut_at is None and fits(c)]
    for capture in chosen(rng, candidates, rate):
        capture.cp1252 = True


def plan_corpus(rng: random.Random, docs: list[Document], mix: Mix) -> list[Capture]:
    namer = Namer(rng)
    title_counts = Counter(folded_title(d.title) for d in docs)
    unique_titles = {t for t, n in title_counts.items() if n == 1}
    captures = collection_listings(rng, docs, mix, namer, unique_titles)
    captures += search_listings(rng, docs, mix, namer)
    captures += topic_listings(rng, docs, mix, namer, unique_titles)
    expected_files = len(captures) + mix.page_rate * len(docs)
    bad_total = max(len(BAD_KINDS) + 2, round(expected_files * mix.bad_rate))
    mark_truncations(rng, captures, max(1, bad_total // 6))
    captures += document_pages(rng, docs, mix, namer)
    captures += coverage_listings(rng, docs, captures, mix, namer, unique_titles)
    captures += article_captures(rng, len(docs), mix, namer)
    per_kind = {"empty": 1, "binary": 2, "unrecognised": 1, "enormous_line": 1}
    if bad_total > 8:
        share = {"empty": 0.2, "binary": 0.2, "unrecognised": 0.2, "enormous_line": 0.07}
        per_kind = {k: max(per_kind[k], round(bad_total * s)) for k, s in share.items()}
    captures += damaged_captures(rng, per_kind, namer, mix.enormous_repeats)
    mark_cp1252(rng, captures, mix.cp1252_rate)
    ensure_entry_variants(rng, captures, unique_titles)
    if mix.extras_rate:
        plan_extras(rng, captures, docs, mix.extras_rate)
    return sorted(captures, key=lambda c: c.path)


def plan_extras(rng, captures: list[Capture], docs: list[Document], rate: float) -> None:
    """Give each kind of page furniture of EXTRAS to `rate` of the pages that can carry it;
    a page that lists related documents lists one to three others of its theme."""
    by_theme: dict[str, list[Document]] = {}
    for doc in docs:
        by_theme.setdefault(doc.theme, []).append(doc)
    for capture in captures:
        extras = {name for name, (kind, variants) in EXTRAS.items()
                  if capture.layout and page_kind(capture) == kind and capture.variant.removesuffix("_no_dl_id")
                  in variants and rng.random() < rate}
        if extras & {"related_documents", "related_aside"}:
            own = capture.entries[0].doc
            others = [d for d in by_theme[own.theme] if d is not own]
            capture.see_also = rng.sample(others, min(len(others), rng.randint(1, 3)))
        capture.extras = frozenset(extras)


def ensure_entry_variants(rng, captures: list[Capture], unique_titles: set[str]) -> None:
    """Small corpora still get one undated and one summary-less older-listing entry."""
    old = [(c, e) for c in captures if c.layout == "listing_old" and c.fmt == "text"
           for _, e in attributed(c)]
    if old and all(e.dated for _, e in old):
        eligible = [e for c, e in old if undatable(e.doc, unique_titles)]
        if eligible:
            rng.choice(eligible).dated = False
    if old and all(e.summarised for _, e in old):
        rng.choice(old)[1].summarised = False


# --------------------------------------------------------------------------------------
# Rendering: one function per layout, text in the shapes of the real captures
# --------------------------------------------------------------------------------------


def curled(text: str) -> str:
    """Straight quotes turned typographic."""
    out, double_open = [], True
    for i, char in enumerate(text):
        before = text[i - 1] if i else " "
        if char == "'":
            out.append("\u2018" if before in " ([\u201c" else "\u2019")
        elif char == '"':
            out.append("\u201c" if double_open else "\u201d")
            double_open = not double_open
        else:
            out.append(char)
    return "".join(out)


def straightened(text: str) -> str:
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def as_printed(text: str, rng: random.Random, rate: float = 0.15) -> str:
    """The same words with one surface variant: quotes, doubled or trailing space, dash."""
    if rng.random() >= rate:
        return text
    kind = rng.choice(("quotes", "space", "trailing", "dash"))
    if kind == "quotes" and any(q in text for q in "'\"\u2018\u2019\u201c\u201d"):
        return straightened(text) if any(q in text for q in "\u2018\u2019\u201c\u201d") else curled(text)
    if kind == "dash" and ("-" in text or "\u2013" in text):
        return text.replace("-", "\u2013", 1) if "-" in text else text.replace("\u2013", "-", 1)
    if kind == "space" and " " in text:
        spaces = [i for i, c in enumerate(text) if c == " "]
        at = rng.choice(spaces)
        return text[:at] + " " + text[at:]
    return text + " "


def date_as_printed(date: DocDate, pad: bool, comma: bool = True) -> str:
    if date.precision == "year":
        return str(date.year)
    month = MONTHS[date.month - 1]
    if date.precision == "month":
        return f"{month}, {date.year}" if comma else f"{month} {date.year}"
    return f"{month} {date.day:02d}, {date.year}" if pad else f"{month} {date.day}, {date.year}"


@dataclass
class Style:
    """Cosmetics of one capture, drawn from its own random stream."""
    rng: random.Random
    pad: bool
    comma: bool
    curly: bool = False

    def title(self, doc: Document) -> str:
        text = as_printed(doc.title, self.rng)
        return curled(text) if self.curly else text

    def summary(self, doc: Document) -> str:
        return self.prose(doc.summary)

    def prose(self, text: str) -> str:
        text = as_printed(text, self.rng, 0.05)
        return curled(text) if self.curly else text

    def date(self, doc: Document) -> str:
        return date_as_printed(doc.date, self.pad, self.comma)


@dataclass
class Rendered:
    text: str
    title_offsets: list[tuple[int, int]] = field(default_factory=list)  # (line index, indent) per entry


def joined(lines: list[str], single: bool = False) -> str:
    """Lines as one text; `single` drops the blank lines (captures saved without the chrome)."""
    return "\n".join(line for line in lines if not single or line != "").rstrip("\n")


def old_header() -> list[str]:
    return ["Search in", "", "Digital Archive International History Declassified", ""]


def render_listing_old(capture: Capture, style: Style) -> Rendered:
    lines = [] if capture.variant == "dashes" else old_header()
    if capture.collection:
        collection = capture.collection
        lines += ["No image found.", "", collection.title, "", style.prose(collection.description), ""]
    elif capture.variant != "dashes":
        lines.append("")
    offsets = []
    for number, entry in enumerate(capture.entries):
        doc = entry.doc
        if capture.variant == "dashes":
            if number:
                lines += [DASH_LINE, ""]
            if entry.dated:
                lines += [style.date(doc), ""]
            offsets.append((len(lines), 0))
            lines += [style.title(doc), ""]
            if entry.summarised:
                lines += [style.summary(doc), ""]
            continue
        if entry.dated:
            lines += [BULLET + style.date(doc), ""]
            offsets.append((len(lines), 4))
            lines += ["    " + style.title(doc), ""]
        else:
            offsets.append((len(lines), 4))
            lines += [BULLET + style.title(doc), ""]
        if entry.summarised:
            lines += ["    " + style.summary(doc), ""]
    if "site_footer" in capture.extras:
        lines += SITE_FOOTER
    return Rendered(joined(lines), offsets)


def render_listing_search(capture: Capture, style: Style) -> Rendered:
    count = f"{capture.first} - {capture.first + len(capture.entries) - 1} of {capture.total}"
    if capture.variant == "count_only":
        lines = (["Skip to content", ""] if style.rng.random() < 0.5 else []) + [count, ""]
    elif "one_line_results" in capture.extras:
        lines = ["Skip to content", "", f"Results: {count}", "", "Documents", ""]
    else:
        lines = ["Skip to content", "", "Results:", "", count, "", "Documents", ""]
    offsets = []
    for entry in capture.entries:
        lines += [style.date(entry.doc), ""]
        offsets.append((len(lines), 0))
        lines += [style.title(entry.doc), ""]
        if entry.summarised:
            lines += [style.summary(entry.doc), ""]
    return Rendered(joined(lines), offsets)


def source_value(doc: Document) -> str:
    return f"{doc.reference.text}. {doc.translator_sentence}".strip()


def masked_email(rng: random.Random) -> str:
    return "[email\u00a0protected]" if rng.random() < 0.6 else "[email protected]"


EMAIL_SLOT = "\x00email\x00"  # where an HTML page puts its protected-address link


def information_block(doc: Document, rng: random.Random, email: str) -> list[tuple[str, list[str]]]:
    """(label, values) pairs of the newer site's 'Document Information' block."""
    rights = [p.format(email=email) for p in rng.choice(RIGHTS)]
    block = [("Source", [source_value(doc)])]
    if rng.random() < 0.6:
        block.append(("Original Archive", [ARCHIVE_NAMES[doc.reference.archive]]))
    block += [("Rights", rights), ("Original Uploaded Date", [doc.uploaded]), ("Type", [doc.doc_type]),
              ("Language", [doc.language] if doc.language else []), ("Record ID", [str(doc.record_id)])]
    if doc.authors:
        block.append(("Author(s)", doc.authors))
    if rng.random() < 0.5:
        block.append(("Associated Places", doc.places))
    if rng.random() < 0.5:
        block.append(("Subjects Discussed", doc.subjects))
    return block


def body_lines(paragraphs: list[tuple[str, bool]], rng: random.Random, latin_only: bool) -> list[str]:
    lines = []
    for text, latin in paragraphs:
        if latin_only and not latin:
            continue
        lines += [text, ""]
        if rng.random() < 0.3:
            lines += [NBSP, ""]
    return lines


def render_document_new(capture: Capture, style: Style, paragraphs) -> Rendered:
    doc, rng = capture.entries[0].doc, style.rng
    lines = [] if capture.variant == "no_chrome" else ["Skip to content", ""]
    if capture.variant == "no_chrome":
        lines += [style.summary(capture.related)]
    lines += [style.date(doc), "", style.title(doc), ""]
    if doc.funders and rng.random() < 0.8:
        lines += [funder_line(doc.funders), ""]
    lines += body_lines(paragraphs, rng, False)
    if "summary_heading" in capture.extras:
        lines += ["Summary", ""]
    lines += [style.summary(doc), "", "", "Document Information", ""]
    for label, values in information_block(doc, rng, masked_email(rng)):
        lines += [label, ""]
        for value in values:
            lines += [value, ""]
    return Rendered(joined(lines, single=capture.variant == "no_chrome"))


def citation(doc: Document, style: Style, with_url: bool) -> str:
    text = (f'"{style.title(doc)}," {date_as_printed(doc.date, False, style.comma)}, History and Public '
            f"Policy Program Digital Archive, {doc.reference.text}.")
    if doc.translator_sentence:
        text += " " + doc.translator_sentence
    if with_url:
        text += f" {SITE}/document/{doc.record_id}"
    return text


def render_document_old(capture: Capture, style: Style, paragraphs) -> Rendered:
    doc, rng = capture.entries[0].doc, style.rng
    # The title line is optional (an upper-cased repeat); without it one blank line stands in its place.
    title_slot = [style.title(doc).upper(), ""] if rng.random() < 0.5 else [""]
    lines = old_header() + [style.date(doc), ""] + title_slot
    if doc.funders:
        lines += [funder_line(doc.funders), ""]
    cited = citation(doc, style, capture.shows_record_id)
    # A narrow window wraps the citation; a permanent URL is never broken.
    cited_lines = textwrap.wrap(cited, 76, break_long_words=False, break_on_hyphens=False) \
        if "wrapped_citation" in capture.extras else [cited]
    lines += [BULLET + "Citation", "", "    get citation", "", "    " + style.summary(doc),
              *("    " + line for line in cited_lines), BULLET + "share document", "", "",
              "English HTML", "", ""]
    lines += body_lines(paragraphs, rng, capture.cp1252)
    if "related_documents" in capture.extras:
        lines += ["Related Documents", ""]
        for other in capture.see_also:
            lines += [BULLET + style.date(other), "", "    " + style.title(other), "",
                      "    " + style.summary(other), ""]
    return Rendered(joined(lines))


def escaped(text: str) -> str:
    return html.escape(text, quote=False)


def document_address(doc: Document, link: str) -> str:
    if link == "id":
        return f"/document/{doc.record_id}"
    return f"/document/{doc.address}" if link == "slug" else f"/node/{doc.node}"


def html_email(rng: random.Random) -> str:
    return (f'<a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
            f'data-cfemail="{rng.getrandbits(96):024x}">[email&#160;protected]</a>')


def render_document_html(capture: Capture, style: Style, paragraphs) -> Rendered:
    entry = capture.entries[0]
    doc, rng = entry.doc, style.rng
    title = escaped(style.title(doc))
    archived = "web_archive" in capture.extras
    canonical = f"{SITE}{document_address(doc, entry.link)}"
    if archived:
        canonical = f"{WAYBACK}/{wayback_timestamp(rng)}/{canonical}"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{title} | Wilson Center Digital Archive</title>",
           f'<link rel="canonical" href="{canonical}">', "</head>", "<body>"]
    if archived:
        out += wayback_toolbar(canonical)
    out += ['<a class="skip-link" href="#main">Skip to content</a>', '<main id="main">',
            f"<h1>{title}</h1>", f'<p class="date">{escaped(style.date(doc))}</p>']
    if doc.funders and rng.random() < 0.8:
        out.append(f'<p class="funders">{escaped(funder_line(doc.funders))}</p>')
    out.append('<div class="document-body">')
    for text, _ in paragraphs:
        out.append(f"<p>{escaped(text)}</p>")
        if rng.random() < 0.2:
            out.append("<p>&nbsp;</p>")
    out += ["</div>", f'<p class="summary">{escaped(style.summary(doc))}</p>',
            "<h2>Document Information</h2>", "<dl>"]
    for label, values in information_block(doc, rng, EMAIL_SLOT):
        if label == "Record ID" and not capture.listed_id:
            continue
        out.append(f"<dt>{escaped(label)}</dt>")
        values = [escaped(v).replace(EMAIL_SLOT, html_email(rng)) for v in values]
        out += [f"<dd>{v}</dd>" for v in values] or ["<dd></dd>"]
    out.append("</dl>")
    if "related_aside" in capture.extras:
        out += related_aside(capture.see_also, style) + ["</main>"] + HTML_FOOTER
    else:
        out.append("</main>")
    out += ["</body>", "</html>"]
    return Rendered("\n".join(out))


def wayback_timestamp(rng: random.Random) -> str:
    return f"{rng.randint(2012, 2023)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 235959):06d}"


def wayback_toolbar(address: str) -> list[str]:
    """The Wayback Machine's banner above an archived page: its own words, links and a date."""
    return ["<!-- BEGIN WAYBACK TOOLBAR INSERT -->",
            '<div id="wm-ipp-base"><div id="wm-ipp"><p>The Wayback Machine</p>',
            f'<a href="{escaped(address)}">captures</a><p>Close</p><p>Help</p></div></div>',
            "<!-- END WAYBACK TOOLBAR INSERT -->"]


def related_aside(others: list[Document], style: Style) -> list[str]:
    out = ['<aside class="related">', "<h2>Related Documents</h2>", "<ul>"]
    for other in others:
        out.append(f'<li><a href="/document/{other.record_id}">{escaped(style.title(other))}</a> '
                   f'<span class="date">{escaped(style.date(other))}</span></li>')
    return out + ["</ul>", "</aside>"]


def render_listing_html(capture: Capture, style: Style) -> Rendered:
    """An older-site result page saved as HTML: each li holds a date, a linked title, a summary."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           "<title>Search | Digital Archive - Wilson Center</title>", "</head>", "<body>",
           '<form class="search"><label for="q">Search in</label> <input id="q" name="q"></form>',
           '<p class="site-name">Digital Archive International History Declassified</p>',
           '<ul class="results">']
    for entry in capture.entries:
        doc = entry.doc
        out.append('<li class="result">')
        if entry.dated:
            out.append(f'<p class="date">{escaped(style.date(doc))}</p>')
        out.append(f'<h3><a href="{document_address(doc, entry.link)}">{escaped(style.title(doc))}</a></h3>')
        if entry.summarised:
            out.append(f'<p class="summary">{escaped(style.summary(doc))}</p>')
        out.append("</li>")
    out += ["</ul>", "</main>", "</body>", "</html>"]
    return Rendered("\n".join(out))


def reference_text(rng: random.Random) -> str:
    author, title = rng.choice(REFERENCE_AUTHORS), rng.choice(REFERENCE_TITLES)
    year = rng.randint(1988, 2019)
    form = rng.randrange(3)
    if form == 0:
        return f"{author} ({year}). {title}. {rng.choice(REFERENCE_PLACES)}: University Press."
    if form == 1:
        return (f"{author}, \u201c{title}\u201d, Journal of Korean Migration Studies {rng.randint(3, 40)} "
                f"({year}), {rng.randint(10, 90)}\u2013{rng.randint(91, 200)}.")
    retrieved = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}"
    return f"{title}, by {author}, retrieved {retrieved} Template:Ru icon"


def article_references(rng: random.Random) -> tuple[list[str], list[str]]:
    """(bulleted, numbered) references."""
    bullets = [reference_text(rng) for _ in range(rng.choice((0, 1, 1, 2)))]
    numbered = [reference_text(rng) for _ in range(rng.randint(3, 9))]
    return bullets, numbered


def render_article(capture: Capture, style: Style) -> Rendered:
    spec, rng = capture.article, style.rng
    bullets, numbered = capture.references
    marks = [0]

    def marked(sentence: str) -> str:  # sentences cite in order, reusing numbers when they run out
        if rng.random() >= 0.6:
            return sentence
        marks[0] = marks[0] % len(numbered) + 1
        return f"{sentence}[{marks[0]}]"

    prefix = rng.choice(("", "Template:Use mdy dates ", "Template:Use dmy dates "))
    lines = [rng.choice(LICENCE_NOTICES), ""]
    for number, (heading, sentences) in enumerate(spec.sections):
        if heading:
            lines += [heading, ""]
        if number == 0:
            sentences = (f"{prefix}{spec.title}, {spec.lead}", *sentences)
        lines += [" ".join(marked(s) for s in sentences), ""] + ([""] if number == 0 else [])
    lines += [""]
    lines += [BULLET + b for b in bullets]
    lines += [f"  {n}. {r}" for n, r in enumerate(numbered, 1)]
    lines += ["", " ".join(spec.links), "", CLOSING_LICENCE]
    return Rendered("\n".join(lines))


def damaged_bytes(capture: Capture, rng: random.Random) -> bytes:
    if capture.variant == "zero":
        return b""
    if capture.variant == "blank":  # spaces and tabs spelling the file's number in binary: unique
        return "".join(" \t"[int(bit)] for bit in f"{capture.total:b}").encode() + b"\n\n"
    if capture.variant == "png":
        header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sIIBBBBB", 13, b"IHDR", rng.randint(200, 1600),
                                                       rng.randint(100, 1200), 8, 6, 0, 0, 0)
        return header + rng.randbytes(rng.randint(2_000, 20_000))
    if capture.variant == "nul":
        return b"\x00" * capture.total
    if capture.variant == "unrecognised":
        return rng.choice(UNRECOGNISED_TEXTS).format(hex=f"{rng.getrandbits(64):016x}", n=rng.randint(1, 99),
                                                     m=rng.randint(100, 999)).encode()
    return enormous_line(rng, capture.total).encode()


def enormous_line(rng: random.Random, chunks: int) -> str:
    """A minified script of `chunks` times ~8 kB without one newline."""
    pieces = [f"{rng.choice(JS_TOKENS)}.{rng.choice(JS_TOKENS)}({rng.randint(0, 99999)})" for _ in range(400)]
    chunk = ";".join(pieces)
    return "!function(e,t){" + ";".join([chunk] * chunks) + "}(window,document);"


def rendered_capture(capture: Capture, seed: int) -> Rendered:
    rng = random.Random(f"{seed}/capture/{capture.path}")
    if capture.layout == "listing_old":
        style = Style(rng, pad=rng.random() < 0.9, comma=rng.random() < 0.75, curly=capture.cp1252)
        return (render_listing_html if capture.fmt == "html" else render_listing_old)(capture, style)
    style = Style(rng, pad=rng.random() < 0.1, comma=rng.random() < 0.5, curly=capture.cp1252)
    if capture.layout == "listing_search":
        return render_listing_search(capture, style)
    if capture.layout == "article":
        return render_article(capture, style)
    body = body_paragraphs(capture.entries[0].doc, seed)  # the same body on every page of a document
    if capture.layout == "document_old":
        return render_document_old(capture, style, body)
    if capture.fmt == "html":
        return render_document_html(capture, style, body)
    return render_document_new(capture, style, body)


def truncated_text(rendered: Rendered, cut_at: int, rng: random.Random) -> str:
    """The capture cut in the middle of a word of entry `cut_at`'s title, with no final newline."""
    lines = rendered.text.split("\n")
    line_index, indent = rendered.title_offsets[cut_at - 1]
    title = lines[line_index][indent:]
    inside = [i for i in range(3, len(title) - 1) if title[i - 1].isalpha() and title[i].isalpha()]
    cut = rng.choice(inside) if inside else max(1, len(title) // 2)
    return "\n".join(lines[:line_index] + [lines[line_index][:indent + cut]])


def capture_bytes(capture: Capture, seed: int) -> bytes:
    rng = random.Random(f"{seed}/bytes/{capture.path}")
    if capture.fmt == "bytes":
        return damaged_bytes(capture, rng)
    rendered = rendered_capture(capture, seed)
    if capture.cut_at is not None:
        return truncated_text(rendered, capture.cut_at, rng).encode()
    text = rendered.text
    # Like the seeds, a complete capture may lack the final newline only after a digit or a closing
    # mark; ending in a letter with no newline is what a cut-off capture looks like.
    if capture.fmt == "html" or not text.endswith(COMPLETE_ENDINGS) or rng.random() < 0.5:
        text += "\n"
    if capture.cp1252:
        return (text.replace("\n", "\r\n") if rng.random() < 0.5 else text).encode("cp1252")
    return text.encode()


# --------------------------------------------------------------------------------------
# Answer key
# --------------------------------------------------------------------------------------


def document_row(doc: Document, shown: set[str], layouts: list[str]) -> dict:
    return {
        "key": doc.key, "record_id": doc.record_id, "record_id_shown": f"id/{doc.key}" in shown,
        "title": doc.title, "date": doc.date.iso, "date_precision": doc.date.precision,
        "date_shown": f"date/{doc.key}" in shown, "summary": doc.summary,
        "document_type": doc.doc_type, "language": doc.language or None, "archive": doc.reference.archive,
        "archive_reference": doc.reference.text, "reference_parts": doc.reference.parts,
        "translators": doc.translators, "funders": doc.funders, "uploaded_date": doc.uploaded,
        "trap": doc.trap, "layouts": layouts,
    }


def record_id_printed(capture: Capture, entry: Entry) -> bool:
    """Document pages say so themselves; in a listing only an HTML link /document/<id> carries it."""
    if capture.layout in ("document_new", "document_old"):
        return capture.shows_record_id
    return capture.fmt == "html" and entry.link == "id"


def answer_key(docs: list[Document], captures: list[Capture], seed: int, mix_name: str) -> dict:
    records, unattributable, files, bad_files = [], [], [], []
    shown: set[str] = set()  # "id/<key>" and "date/<key>" for what some capture prints
    layouts: dict[str, set[str]] = {}
    for capture in captures:
        rows = attributed(capture)
        for position, entry in rows:
            records.append({"path": capture.path, "position": position, "document": entry.doc.key,
                            "dated": entry.dated})
            layouts.setdefault(entry.doc.key, set()).add(capture.layout)
            if record_id_printed(capture, entry):
                shown.add(f"id/{entry.doc.key}")
            if entry.dated:
                shown.add(f"date/{entry.doc.key}")
        if capture.cut_at is not None:
            unattributable.append({"path": capture.path, "position": capture.cut_at,
                                   "document": capture.entries[capture.cut_at - 1].doc.key,
                                   "reason": "truncated: the capture ends inside this entry's title"})
            bad_files.append({"path": capture.path, "kind": "truncated",
                              "detail": f"cut in the title of entry {capture.cut_at}, no final newline"})
        elif capture.cp1252:
            bad_files.append({"path": capture.path, "kind": "cp1252", "detail": "Windows-1252 text"})
        elif capture.bad_kind:
            bad_files.append({"path": capture.path, "kind": capture.bad_kind, "detail": capture.variant})
        files.append({"path": capture.path, "layout": capture.layout, "format": capture.fmt,
                      "variant": capture.variant, "encoding": "cp1252" if capture.cp1252 else
                      ("utf-8" if capture.fmt != "bytes" else None), "records": len(rows),
                      **({"extras": sorted(capture.extras)} if capture.extras else {})})
    collections = {}
    for capture in captures:
        if capture.collection and capture.collection.title not in collections:
            c = capture.collection
            collections[c.title] = {"title": c.title, "description": c.description,
                                    "members": [d.key for d in c.members], "paths": sorted(c.paths)}
    return {
        "about": ("Answer key of a synthetic corpus made by bench/generate.py. Documents are the invented "
                  "truth; a field is visible only where a layout prints it (see each document's 'layouts', "
                  "'record_id_shown' and 'date_shown'). Titles compare after folding whitespace, quotes "
                  "and dashes. Records are the listing entries and document pages a correct parser "
                  "attributes ('dated' is false for an entry printed without its date line); "
                  "'unattributable' lists the ones it cannot."),
        "generator": {"seed": seed, "mix": mix_name, "documents": len(docs), "files": len(captures)},
        "documents": [document_row(d, shown, sorted(layouts.get(d.key, ()))) for d in docs],
        "records": records,
        "unattributable": unattributable,
        "collections": sorted(collections.values(), key=lambda c: c["title"]),
        "articles": [article_row(c) for c in captures if c.article],
        "bad_files": bad_files,
        "files": files,
    }


def article_row(capture: Capture) -> dict:
    bullets, numbered = capture.references
    spec = capture.article
    return {"path": capture.path, "title": spec.title, "references": len(bullets) + len(numbered),
            "sections": [h for h, _ in spec.sections if h], "language_links": list(spec.links)}


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


def generate_corpus(out_dir: Path, documents: int, seed: int, key_path: Path | None = None,
                    mix: str = "harvest", force: bool = False) -> dict:
    """Write the captures under `out_dir` and the answer key to `key_path`; return the key."""
    if documents < 10:
        raise ValueError("a corpus needs at least 10 documents to hold every layout and trap")
    out_dir = Path(out_dir)
    key_path = Path(key_path) if key_path else out_dir.parent / "answer_key.json"
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise FileExistsError(f"{out_dir} is not empty (pass force=True / --force to replace it)")
        shutil.rmtree(out_dir)
    rng = random.Random(seed)
    docs = make_documents(rng, documents)
    captures = plan_corpus(rng, docs, MIXES[mix])
    write_captures(out_dir, captures, seed)
    key = answer_key(docs, captures, seed, mix)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_text(key_json(key), encoding="utf-8")
    return key


def key_json(key: dict) -> str:
    """The key as JSON with one list item per line: readable, diffable and quick to write."""
    def dumped(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for name, value in key.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(dumped(item) for item in value)
            parts.append(f"{dumped(name)}: [\n  {items}\n ]")
        else:
            parts.append(f"{dumped(name)}: {dumped(value)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def write_captures(out_dir: Path, captures: list[Capture], seed: int) -> None:
    made: set[Path] = set()
    seen: set[bytes] = set()
    for capture in captures:
        data = capture_bytes(capture, seed)
        while len(data) > 8 and hashlib.sha256(data).digest() in seen and capture.cut_at is None:
            data += b"\n"  # two renderings came out identical: keep the files distinct
        seen.add(hashlib.sha256(data).digest())
        path = out_dir / capture.path
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


def layout_counts(key: dict) -> dict[str, int]:
    """Files per layout and variant, for the report and the READMEs."""
    counts = Counter()
    for row in key["files"]:
        name = row["layout"] or "none"
        counts[f"{name}/{row['format']}/{row['variant']}"] += 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000, help="invented documents (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="captures folder to create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--key", type=Path, help="answer key path (default: OUT/../answer_key.json)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="harvest",
                        help="proportions: 'harvest' (real-harvest mix) or 'sample' (the bundled samples)")
    parser.add_argument("--force", action="store_true", help="delete OUT first if it is not empty")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    key = generate_corpus(args.out, args.documents, args.seed, args.key, args.mix, args.force)
    elapsed = time.perf_counter() - started
    for name, count in layout_counts(key).items():
        print(f"{count:7d}  {name}")
    print(f"{key['generator']['files']} files, {len(key['documents'])} documents, "
          f"{len(key['records'])} records, "
          f"{len(key['collections'])} collections, {len(key['bad_files'])} bad files in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
