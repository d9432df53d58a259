"""catalog.json holds the provincial list faithfully.

Every expected value below is written out from a reading of
shared/seeds/000_6e137334891338ee.txt (湖南省医疗保障经办政务服务事项清单（2025年版）) and, for form
numbers only, shared/seeds/001_eb6fd5b61c9c2fd7.txt (the Yongzhou guide). Nothing is computed from
the file under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk.domain.catalog import Catalog, Item, load_catalog

CATALOG_FILE = Path(__file__).resolve().parent.parent / "catalog.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_FILE)


def item(catalog: Catalog, no: int) -> Item:
    return catalog.item(no)


def material_rows(it: Item) -> list[tuple]:
    return [
        (m.id, m.name, m.alternatives, m.condition, m.copy, m.seal, m.form, m.stage)
        for m in it.materials
    ]


# ------------------------------------------------------------------------------------------------
# Structure: main items, sub-items, business items

MAIN_ITEMS = [
    ("一", "00203600100Y", "基本医疗保险参保和变更登记"),
    ("二", "00203600200Y", "基本医疗保险参保信息查询和个人账户一次性支取"),
    ("三", "00203600300Y", "基本医疗保险关系转移接续"),
    ("四", "00203600400Y", "基本医疗保险参保人员异地就医备案"),
    ("五", "00203600500Y", "基本医疗保险参保人员享受门诊慢特病病种和“双通道”管理药品待遇认定"),
    ("六", "00203600600Y", "基本医疗保险参保人员医疗费用手工（零星）报销"),
    ("七", "00203600700Y", "生育保险待遇核准支付"),
    ("八", "00203600800Y", "医疗救助对象待遇核准支付"),
    ("九", "00203600900Y", "医药机构申请定点协议管理"),
    ("十", "00203601000Y", "定点医药机构费用结算"),
]

SUB_ITEMS = [
    (1, "002036001001", "单位参保登记", "00203600100Y"),
    (2, "002036001002", "职工参保登记", "00203600100Y"),
    (3, "002036001003", "城乡居民参保登记", "00203600100Y"),
    (4, "002036001004", "单位参保信息变更登记", "00203600100Y"),
    (5, "002036001005", "职工参保信息变更登记", "00203600100Y"),
    (6, "002036001006", "城乡居民参保信息变更登记", "00203600100Y"),
    (7, "002036001007", "法定断档补缴", "00203600100Y"),
    (8, "002036002001", "参保单位参保信息查询", "00203600200Y"),
    (9, "002036002002", "参保人员参保信息查询", "00203600200Y"),
    (10, "002036002003", "参保人员个人账户一次性支取", "00203600200Y"),
    (11, "002036003002", "基本医疗保险关系转移接续", "00203600300Y"),
    (12, "002036004001", "异地安置退休人员备案", "00203600400Y"),
    (13, "002036004002", "异地长期居住人员备案", "00203600400Y"),
    (14, "002036004003", "常驻异地工作人员备案", "00203600400Y"),
    (15, "002036004004", "异地转诊人员备案", "00203600400Y"),
    (16, "002036004005", "其他临时外出就医人员备案", "00203600400Y"),
    (17, "002036005001", "基本医疗保险参保人员享受门诊慢特病病种待遇认定", "00203600500Y"),
    (18, "002036005002", "基本医疗保险参保人员享受“双通道”管理药品待遇认定", "00203600500Y"),
    (19, "002036006001", "门诊费用报销", "00203600600Y"),
    (20, "002036006002", "住院费用报销", "00203600600Y"),
    (21, "002036007002", "生育医疗待遇支付", "00203600700Y"),
    (22, "002036007004", "生育津贴支付", "00203600700Y"),
    (23, "002036008002", "医疗救助对象手工（零星）报销", "00203600800Y"),
    (24, "002036009001", "医疗机构申请定点协议管理", "00203600900Y"),
    (25, "002036009002", "零售药店申请定点协议管理", "00203600900Y"),
    (26, "002036010001", "基本医疗保险定点医疗机构费用结算", "00203601000Y"),
    (27, "002036010002", "基本医疗保险定点零售药店费用结算", "00203601000Y"),
]

# no -> (name, sub-item code, applicant kind)
ITEMS = {
    1: ("单位参保登记", "002036001001", "unit"),
    2: ("单位注销登记", "002036001001", "unit"),
    3: ("灵活就业人员增加登记", "002036001002", "person"),
    4: ("灵活就业人员减少登记", "002036001002", "person"),
    5: ("职工增加登记", "002036001002", "unit"),
    6: ("职工减少登记（暂停参保）", "002036001002", "unit"),
    7: ("职工减少登记（终止参保）", "002036001002", "unit"),
    8: ("在职转退休", "002036001002", "unit"),
    9: ("城乡居民参保登记", "002036001003", "person"),
    10: ("城乡居民减少登记（暂停参保）", "002036001003", "person"),
    11: ("城乡居民减少登记（终止参保）", "002036001003", "person"),
    12: ("单位参保信息变更登记", "002036001004", "unit"),
    13: ("职工参保信息变更登记", "002036001005", "unit"),
    14: ("城乡居民参保信息变更登记", "002036001006", "person"),
    15: ("法定断档补缴", "002036001007", "unit"),
    16: ("参保单位参保信息查询", "002036002001", "unit"),
    17: ("参保人员参保信息查询", "002036002002", "person"),
    18: ("参保人员个人账户一次性支取", "002036002003", "person"),
    19: ("基本医疗保险关系转入", "002036003002", "person"),
    20: ("基本医疗保险关系转出", "002036003002", "person"),
    21: ("异地安置退休人员备案", "002036004001", "person"),
    22: ("异地长期居住人员备案", "002036004002", "person"),
    23: ("常驻异地工作人员备案", "002036004003", "person"),
    24: ("异地转诊人员备案", "002036004004", "person"),
    25: ("其他临时外出就医人员备案", "002036004005", "person"),
    26: ("职工医保参保人员享受门诊慢特病病种待遇认定", "002036005001", "person"),
    27: ("居民医保参保人员享受门诊慢特病病种待遇认定", "002036005001", "person"),
    28: ("职工医保参保人员享受“双通道”管理药品待遇认定", "002036005002", "person"),
    29: ("居民医保参保人员享受“双通道”管理药品待遇认定", "002036005002", "person"),
    30: ("门诊费用报销", "002036006001", "person"),
    31: ("住院费用报销", "002036006002", "person"),
    32: ("生育医疗待遇支付", "002036007002", "person"),
    33: ("生育津贴支付", "002036007004", "person"),
    34: ("门诊医疗救助申报", "002036008002", "person"),
    35: ("住院医疗救助申报", "002036008002", "person"),
    36: ("医疗机构申请定点协议管理", "002036009001", "institution"),
    37: ("零售药店申请定点协议管理", "002036009002", "institution"),
    38: ("基本医疗保险定点医疗机构费用结算", "002036010001", "institution"),
    39: ("基本医疗保险定点零售药店费用结算", "002036010002", "institution"),
}


def test_title(catalog):
    assert catalog.title == "湖南省医疗保障经办政务服务事项清单（2025年版）"


def test_ten_main_items(catalog):
    assert len(catalog.main_items) == 10


def test_twenty_seven_sub_items(catalog):
    assert len(catalog.sub_items) == 27


def test_thirty_nine_items(catalog):
    assert len(catalog.items) == 39


def test_main_items_numerals_codes_and_names(catalog):
    assert [(m.numeral, m.code, m.name) for m in catalog.main_items] == MAIN_ITEMS


def test_main_item_six_has_its_numeral_restored(catalog):
    six = [m for m in catalog.main_items if m.code == "00203600600Y"]
    assert [m.numeral for m in six] == ["六"]


def test_sub_items_seq_codes_names_and_parents(catalog):
    assert [(s.seq, s.code, s.name, s.main_item) for s in catalog.sub_items] == SUB_ITEMS


@pytest.mark.parametrize("no", sorted(ITEMS))
def test_item_name_sub_item_and_applicant(catalog, no):
    it = item(catalog, no)
    assert (it.no, it.name, it.sub_item.code, it.applicant_kind) == (no, *ITEMS[no])


def test_items_in_source_order(catalog):
    assert [i.name for i in catalog.items] == [ITEMS[n][0] for n in range(1, 40)]


def test_transfer_sub_item_keeps_the_source_code_ending_in_002(catalog):
    # The list has no 002036003001: the only transfer sub-item is coded ...003002.
    assert [s.code for s in catalog.sub_items if s.main_item == "00203600300Y"] == ["002036003002"]


def test_by_code_finds_items_of_a_main_item(catalog):
    assert [i.no for i in catalog.by_code("00203600600Y")] == [30, 31]


# ------------------------------------------------------------------------------------------------
# Time limits

# no -> (kind, days, start, text, online (kind, days) or None)
WD5 = ("working_days", 5, "acceptance", "不超过5个工作日", None)
WD10 = ("working_days", 10, "acceptance", "不超过10个工作日", None)
WD25 = ("working_days", 25, "acceptance", "不超过25个工作日", None)
NOW = ("instant", 0, "acceptance", "即时办结", None)
FILING = ("instant", 0, "acceptance", "即时办结（现场），2个工作日（线上）", ("working_days", 2))
RECOGNITION = (
    "working_days",
    20,
    "acceptance",
    "不超过20个工作日（线下），7个工作日（线上）",
    ("working_days", 7),
)
NATURAL80 = ("natural_days", 80, "acceptance", "不超过80个自然日", None)
TIME_LIMITS = {
    1: WD5,
    2: WD5,
    3: NOW,
    4: NOW,
    5: NOW,
    6: NOW,
    7: WD5,
    8: WD5,
    9: NOW,
    10: NOW,
    11: NOW,
    12: NOW,
    13: NOW,
    14: NOW,
    15: WD5,
    16: NOW,
    17: NOW,
    18: WD10,
    19: WD5,
    20: WD10,
    21: FILING,
    22: FILING,
    23: FILING,
    24: FILING,
    25: FILING,
    26: RECOGNITION,
    27: RECOGNITION,
    28: RECOGNITION,
    29: RECOGNITION,
    30: WD25,
    31: WD25,
    32: ("working_days", 15, "acceptance", "不超过15个工作日", None),
    33: WD10,
    34: WD25,
    35: WD25,
    36: NATURAL80,
    37: NATURAL80,
    38: (
        "working_days",
        20,
        "after_declaration_deadline",
        "从定点医疗机构申报截止次日到医保基金拨付不超过20个工作日",
        None,
    ),
    39: (
        "working_days",
        20,
        "after_declaration_deadline",
        "从定点零售药店申报截止次日到医保基金拨付不超过20个工作日",
        None,
    ),
}


@pytest.mark.parametrize("no", sorted(TIME_LIMITS))
def test_time_limit(catalog, no):
    t = item(catalog, no).time_limit
    online = (t.online.kind, t.online.days) if t.online else None
    assert (t.kind, t.days, t.start, t.text, online) == TIME_LIMITS[no]


def test_online_limits_count_from_acceptance(catalog):
    starts = {i.time_limit.online.start for i in catalog.items if i.time_limit.online}
    assert starts == {"acceptance"}


def test_online_limit_texts(catalog):
    assert item(catalog, 21).time_limit.online.text == "2个工作日（线上）"
    assert item(catalog, 26).time_limit.online.text == "7个工作日（线上）"


def test_items_with_an_online_figure(catalog):
    assert [i.no for i in catalog.items if i.time_limit.online] == [
        21,
        22,
        23,
        24,
        25,
        26,
        27,
        28,
        29,
    ]


def test_settlement_limit_described_from_declaration_deadline(catalog):
    assert item(catalog, 38).time_limit.describe() == "自申报截止次日起20个工作日"


# ------------------------------------------------------------------------------------------------
# Steps

STANDARD = ("申请", "受理", "审核", "办结")
QUERY = ("申请", "受理", "办结")
PAYING = ("申请", "受理", "审核", "拨付", "办结")
PAYING_ITEMS = [18, 30, 31, 32, 33, 34, 35, 38, 39]
QUERY_ITEMS = [16, 17]


@pytest.mark.parametrize("no", range(1, 40))
def test_steps(catalog, no):
    expected = PAYING if no in PAYING_ITEMS else QUERY if no in QUERY_ITEMS else STANDARD
    assert item(catalog, no).steps == expected


def test_paying_items(catalog):
    assert [i.no for i in catalog.items if i.pays] == PAYING_ITEMS


def test_items_without_review(catalog):
    assert [i.no for i in catalog.items if not i.reviews] == QUERY_ITEMS


# ------------------------------------------------------------------------------------------------
# Materials

ID_DOC = ("医保电子凭证", "有效身份证件", "社保卡")


def test_item_9_materials(catalog):
    assert material_rows(item(catalog, 9)) == [
        ("valid_id", "有效身份证件", ("有效身份证件",), None, None, None, None, "application"),
        (
            "form",
            "《湖南省城乡居民基本医疗保险参保登记表》（含新增、恢复）",
            ("《湖南省城乡居民基本医疗保险参保登记表》（含新增、恢复）",),
            None,
            None,
            None,
            "表5",
            "application",
        ),
    ]


def test_item_21_materials(catalog):
    assert material_rows(item(catalog, 21)) == [
        (
            "id_doc",
            "医保电子凭证或有效身份证件或社保卡",
            ID_DOC,
            None,
            None,
            None,
            None,
            "application",
        ),
        (
            "form",
            "《湖南省异地就医备案登记表》",
            ("《湖南省异地就医备案登记表》",),
            None,
            None,
            None,
            "表13",
            "application",
        ),
        (
            "resettlement_proof",
            "异地安置认定材料（“户口簿首页”和本人“常住人口登记卡”，或个人承诺书）",
            ("“户口簿首页”和本人“常住人口登记卡”", "个人承诺书"),
            None,
            None,
            None,
            None,
            "application",
        ),
    ]


def test_item_31_materials(catalog):
    assert material_rows(item(catalog, 31)) == [
        (
            "id_doc",
            "医保电子凭证或有效身份证件或社保卡",
            ID_DOC,
            None,
            None,
            None,
            None,
            "application",
        ),
        ("invoice", "医院收费票据", ("医院收费票据",), None, None, None, None, "application"),
        (
            "bill_list",
            "住院费用清单",
            ("住院费用清单",),
            None,
            None,
            "医院印章",
            None,
            "application",
        ),
        (
            "discharge_record",
            "出院记录",
            ("出院记录",),
            None,
            None,
            "医院印章",
            None,
            "application",
        ),
        (
            "accident_documents",
            "交警事故认定书、法院判决书、调解协议书等公检法部门出具的相关材料复印件一份",
            ("交警事故认定书", "法院判决书", "调解协议书"),
            "accident_third_party",
            "copy",
            None,
            None,
            "application",
        ),
        (
            "accident_form",
            "参保人员意外伤害审核表",
            ("参保人员意外伤害审核表",),
            "accident_no_third_party",
            None,
            None,
            None,
            "application",
        ),
    ]


def test_item_36_materials(catalog):
    seal = "单位公章"
    assert material_rows(item(catalog, 36)) == [
        (
            "form",
            "《湖南省定点医疗机构申请表》",
            ("《湖南省定点医疗机构申请表》",),
            None,
            None,
            seal,
            "表19",
            "application",
        ),
        (
            "licence_copy",
            "医疗机构执业许可证或中医诊所备案证或诊所备案凭证或军队医疗机构为民服务许可证照复印件",
            (
                "医疗机构执业许可证",
                "中医诊所备案证",
                "诊所备案凭证",
                "军队医疗机构为民服务许可证照",
            ),
            None,
            "copy",
            seal,
            None,
            "application",
        ),
        (
            "management_rules",
            "与医保政策对应的内部管理制度和财务制度文本",
            ("与医保政策对应的内部管理制度和财务制度文本",),
            None,
            None,
            seal,
            None,
            "review",
        ),
        (
            "it_system",
            "与医保有关的医疗机构信息系统相关材料",
            ("与医保有关的医疗机构信息系统相关材料",),
            None,
            None,
            seal,
            None,
            "review",
        ),
        (
            "fund_forecast",
            "纳入定点后使用医疗保障基金的预测性分析报告",
            ("纳入定点后使用医疗保障基金的预测性分析报告",),
            None,
            None,
            seal,
            None,
            "review",
        ),
    ]


def test_item_37_materials_names(catalog):
    assert [m.name for m in item(catalog, 37).materials] == [
        "《湖南省定点零售药店申请表》",
        # 2. 药品经营许可证、营业执照和法定代表人、主要负责人或实际控制人身份证复印件: three
        # things the clerk checks separately, one row each.
        "药品经营许可证复印件",
        "营业执照复印件",
        "法定代表人、主要负责人或实际控制人身份证复印件",
        "执业药师资格证书或药学技术人员相关证书及其劳动合同复印件",
        "医保专（兼）职管理人员的劳动合同复印件",
        "与医疗保障政策对应的内部管理制度和财务制度文本",
        "与医保有关的信息系统相关材料",
        "纳入定点后使用医疗保障基金的预测性分析报告",
    ]


@pytest.mark.parametrize("no", [36, 37])
def test_designation_materials_all_need_the_unit_seal(catalog, no):
    assert {m.seal for m in item(catalog, no).materials} == {"单位公章"}


def test_item_37_materials_are_all_due_at_application(catalog):
    assert {m.stage for m in item(catalog, 37).materials} == {"application"}


def test_only_item_36_has_review_stage_materials(catalog):
    review = [(i.no, m.id) for i in catalog.items for m in i.materials if m.stage == "review"]
    assert review == [(36, "management_rules"), (36, "it_system"), (36, "fund_forecast")]


# no -> material ids, in order (unconditional and conditional)
MATERIAL_IDS = {
    1: ["license", "form"],
    2: ["cancellation_approval", "form"],
    3: ["valid_id", "form"],
    4: ["valid_id", "form", "death_certificate"],
    5: ["employee_id_copy", "form", "hmt_permit", "hmt_labour_relation", "foreign_permits"],
    6: ["employee_id_copy", "form"],
    7: ["employee_id_copy", "form", "emigration_document", "death_certificate"],
    8: ["employee_id_copy", "form", "flexible_id", "flexible_form", "retirement_approval"],
    9: ["valid_id", "form"],
    10: ["valid_id", "form"],
    11: ["valid_id", "form", "death_certificate"],
    12: ["form", "evidence"],
    13: ["id_doc", "form", "evidence"],
    14: ["id_doc", "form", "evidence"],
    15: [
        "form",
        "labour_relation_copy",
        "wage_or_pension_proof",
        "ruling_copy",
        "arrears_report",
        "supporting_copy",
    ],
    16: ["unit_proof"],
    17: ["id_doc"],
    18: ["id_doc", "form", "heir_id", "heir_bank_account", "death_pledge", "opt_out_statement"],
    19: ["id_doc"],
    20: ["id_doc"],
    21: ["id_doc", "form", "resettlement_proof"],
    22: ["id_doc", "form", "residence_proof"],
    23: ["id_doc", "form", "work_proof"],
    24: ["id_doc", "form", "referral"],
    25: ["id_doc", "form"],
    26: ["id_doc", "form", "medical_records"],
    27: ["id_doc", "form", "medical_records"],
    28: ["id_doc", "form", "medical_records"],
    29: ["id_doc", "form", "medical_records"],
    30: ["id_doc", "invoice", "bill_list", "accident_documents", "accident_form"],
    31: [
        "id_doc",
        "invoice",
        "bill_list",
        "discharge_record",
        "accident_documents",
        "accident_form",
    ],
    32: ["id_doc", "invoice", "bill_list", "medical_records"],
    33: ["form", "medical_records", "invoice"],
    34: ["id_doc", "settlement", "invoice", "means_test_authorisation"],
    35: ["id_doc", "settlement", "invoice", "means_test_authorisation"],
    36: ["form", "licence_copy", "management_rules", "it_system", "fund_forecast"],
    37: [
        "form",
        "drug_licence_copy",
        "business_licence_copy",
        "principal_id_copy",
        "pharmacist_copy",
        "manager_contract_copy",
        "management_rules",
        "it_system",
        "fund_forecast",
    ],
    38: ["per_agreement"],
    39: ["per_agreement"],
}


@pytest.mark.parametrize("no", sorted(MATERIAL_IDS))
def test_material_ids(catalog, no):
    assert [m.id for m in item(catalog, no).materials] == MATERIAL_IDS[no]


def test_material_ids_are_short_ascii(catalog):
    for it in catalog.items:
        for m in it.materials:
            assert m.id.isascii() and m.id.replace("_", "").isalnum() and len(m.id) <= 24, (
                it.no,
                m.id,
            )


def test_id_doc_is_the_same_three_way_choice_everywhere(catalog):
    found = {
        (m.name, m.alternatives) for it in catalog.items for m in it.materials if m.id == "id_doc"
    }
    assert found == {("医保电子凭证或有效身份证件或社保卡", ID_DOC)}


def test_items_with_id_doc(catalog):
    with_id_doc = [i.no for i in catalog.items if any(m.id == "id_doc" for m in i.materials)]
    assert with_id_doc == [
        13,
        14,
        17,
        18,
        19,
        20,
        21,
        22,
        23,
        24,
        25,
        26,
        27,
        28,
        29,
        30,
        31,
        32,
        34,
        35,
    ]


# no -> [(material id, condition)] for every conditional material
CONDITIONAL = {
    4: [("death_certificate", "retiree_death")],
    5: [
        ("hmt_permit", "hmt_employee"),
        ("hmt_labour_relation", "hmt_employee"),
        ("foreign_permits", "foreign_employee"),
    ],
    7: [("emigration_document", "emigration"), ("death_certificate", "retiree_death")],
    8: [("flexible_id", "flexible_worker"), ("flexible_form", "flexible_worker")],
    11: [("death_certificate", "death_stop")],
    12: [("evidence", "key_info_change")],
    13: [("evidence", "key_info_change")],
    14: [("evidence", "key_info_change")],
    15: [
        ("labour_relation_copy", "arrears_labour_relation"),
        ("wage_or_pension_proof", "arrears_labour_relation"),
        ("ruling_copy", "arrears_ruling"),
        ("arrears_report", "arrears_other"),
        ("supporting_copy", "arrears_other_evidence"),
    ],
    18: [
        ("heir_id", "death_withdrawal"),
        ("heir_bank_account", "death_withdrawal"),
        ("death_pledge", "death_unconfirmed"),
        ("opt_out_statement", "opt_out"),
    ],
    30: [
        ("accident_documents", "accident_third_party"),
        ("accident_form", "accident_no_third_party"),
    ],
    31: [
        ("accident_documents", "accident_third_party"),
        ("accident_form", "accident_no_third_party"),
    ],
    33: [("invoice", "birth_grant")],
    34: [("means_test_authorisation", "assistance_unrecognised")],
    35: [("means_test_authorisation", "assistance_unrecognised")],
}


def test_conditional_materials(catalog):
    found = {
        it.no: [(m.id, m.condition) for m in it.materials if m.condition]
        for it in catalog.items
        if any(m.condition for m in it.materials)
    }
    assert found == CONDITIONAL


def test_condition_codes(catalog):
    assert sorted(catalog.conditions) == sorted(
        [
            "proxy",
            "first_payment",
            "hmt_employee",
            "foreign_employee",
            "emigration",
            "retiree_death",
            "death_stop",
            "key_info_change",
            "arrears_labour_relation",
            "arrears_ruling",
            "arrears_other",
            "arrears_other_evidence",
            "death_withdrawal",
            "death_unconfirmed",
            "opt_out",
            "accident_third_party",
            "accident_no_third_party",
            "birth_grant",
            "assistance_unrecognised",
            "flexible_worker",
        ]
    )


def test_every_condition_is_a_chinese_yes_no_question(catalog):
    for code, c in catalog.conditions.items():
        assert c.label and c.question.endswith("？"), code


def test_existing_proxy_and_first_payment_conditions_kept(catalog):
    assert catalog.conditions["proxy"].label == "委托办理"
    assert catalog.conditions["first_payment"].label == "首次拨付或收款账户变更"


def test_item_5_foreign_employee_material(catalog):
    m = item(catalog, 5).material("foreign_permits")
    assert (m.name, m.alternatives) == (
        "外国人就业证件及居留证件，或外国人永久居留证",
        ("外国人就业证件及居留证件", "外国人永久居留证"),
    )


def test_item_5_hong_kong_macau_taiwan_permit(catalog):
    m = item(catalog, 5).material("hmt_permit")
    assert m.alternatives == ("港澳居民来往内地通行证", "港澳台居民居住证")


def test_item_7_emigration_material(catalog):
    m = item(catalog, 7).material("emigration_document")
    assert (m.name, m.alternatives) == ("护照或永久居留证", ("护照", "永久居留证"))


@pytest.mark.parametrize("no", [4, 7, 11])
def test_death_certificate_alternatives(catalog, no):
    m = item(catalog, no).material("death_certificate")
    assert m.alternatives == (
        "医疗机构出具的《死亡医学证明》",
        "公安等部门开具的《死亡证明》复印件",
    )


def test_death_certificate_copy_checked_by_unit_in_items_7_and_11_only(catalog):
    seals = {no: item(catalog, no).material("death_certificate").seal for no in (4, 7, 11)}
    assert seals == {4: None, 7: "单位公章", 11: "单位公章"}


def test_item_18_death_and_opt_out_materials(catalog):
    it = item(catalog, 18)
    assert [(m.id, m.name) for m in it.materials if m.condition] == [
        ("heir_id", "继承人身份证"),
        ("heir_bank_account", "银行卡账户信息"),
        ("death_pledge", "个人承诺书"),
        ("opt_out_statement", "主动放弃基本医疗保险的情况说明"),
    ]


def test_item_33_receipt_only_for_the_one_off_grant(catalog):
    m = item(catalog, 33).material("invoice")
    assert (m.name, m.alternatives, m.condition) == (
        "医院收费票据（原件或电子发票）",
        ("医院收费票据原件", "电子发票"),
        "birth_grant",
    )


def test_item_33_form_is_a_choice_of_two(catalog):
    m = item(catalog, 33).material("form")
    assert (m.alternatives, m.form) == (
        ("《湖南省生育津贴申领表》", "《湖南省一次性生育补助金申领表》"),
        "表17或表18",
    )


@pytest.mark.parametrize("no", [34, 35])
def test_assistance_authorisation(catalog, no):
    m = item(catalog, no).material("means_test_authorisation")
    assert (m.name, m.condition) == (
        "《个人家庭经济状况核查委托授权书》",
        "assistance_unrecognised",
    )


def test_assistance_settlement_materials_differ_by_item(catalog):
    # 基本医保、大病保险报销后的结算单、定点药店购药发票 (34) / 定点医疗机构医疗费发票 (35): the
    # statement and the invoice are checked separately.
    assert [item(catalog, 34).material(m).name for m in ("settlement", "invoice")] == [
        "基本医保、大病保险报销后的结算单",
        "定点药店购药发票",
    ]
    assert [item(catalog, 35).material(m).name for m in ("settlement", "invoice")] == [
        "基本医保、大病保险报销后的结算单",
        "定点医疗机构医疗费发票",
    ]


def test_item_8_flexible_worker_brings_the_guides_own_list(catalog):
    # Yongzhou guide 在职转退休 6.(2): ①有效身份证件；②《…参保登记表》（表 4）, no unit seal.
    it = item(catalog, 8)
    assert (it.material("employee_id_copy").unless, it.material("form").unless) == (
        "flexible_worker",
    ) * 2
    flex_id, flex_form = it.material("flexible_id"), it.material("flexible_form")
    assert (flex_id.copy, flex_form.form, flex_form.seal) == ("original", "表4", None)


def test_item_15_needs_one_of_the_three_evidence_sets(catalog):
    assert item(catalog, 15).one_of == (
        ("arrears_labour_relation", "arrears_ruling", "arrears_other"),
    )


def test_item_13_key_information_only_at_the_county_hall(catalog):
    assert item(catalog, 13).county_hall_only == ("key_info_change",)


@pytest.mark.parametrize(
    ("no", "mid"),
    [
        (15, "ruling_copy"),
        (16, "unit_proof"),
        (30, "accident_documents"),
        (31, "accident_documents"),
    ],
)
def test_open_lists_accept_another_document_of_the_same_kind(catalog, no, mid):
    assert item(catalog, no).material(mid).open is True


def test_item_15_ruling_copy(catalog):
    m = item(catalog, 15).material("ruling_copy")
    assert (m.alternatives, m.copy, m.seal) == (("调解书", "裁决书", "判决书"), "copy", "单位公章")


@pytest.mark.parametrize(
    ("no", "name", "alternatives"),
    [
        (26, "病历资料和检查资料", ("病历资料和检查资料",)),
        (27, "病历资料和检查资料", ("病历资料和检查资料",)),
        (28, "病历资料或检查资料", ("病历资料", "检查资料")),
        (29, "病历资料或检查资料", ("病历资料", "检查资料")),
    ],
)
def test_recognition_records_and_versus_or(catalog, no, name, alternatives):
    m = item(catalog, no).material("medical_records")
    assert (m.name, m.alternatives) == (name, alternatives)


def test_item_23_work_proof_choices(catalog):
    assert item(catalog, 23).material("work_proof").alternatives == (
        "参保地工作单位派出凭证",
        "异地工作劳动合同",
        "个人承诺书",
    )


def test_item_22_residence_proof_choices(catalog):
    # 已办理申领居住证手续且尚未领取的，可提交有关部门出具的受理凭证 (the list's note).
    assert item(catalog, 22).material("residence_proof").alternatives == (
        "居住证",
        "个人承诺书",
        "居住证申领受理凭证",
    )


def test_employee_id_copies_are_copies(catalog):
    for no in (5, 6, 7, 8):
        m = item(catalog, no).material("employee_id_copy")
        assert (m.name, m.copy) == ("参保人员有效身份证件复印件", "copy"), no


# (item, material id) -> seal, for every sealed material outside items 36-37
SEALS = {
    (1, "form"): "单位公章",
    (2, "form"): "单位公章",
    (5, "form"): "单位公章",
    (6, "form"): "单位公章",
    (7, "form"): "单位公章",
    (7, "death_certificate"): "单位公章",
    (8, "form"): "单位公章",
    (11, "death_certificate"): "单位公章",
    (12, "form"): "单位公章",
    (13, "form"): "单位公章",
    (15, "form"): "单位公章",
    (15, "labour_relation_copy"): "单位公章",
    (15, "wage_or_pension_proof"): "单位公章",
    (15, "ruling_copy"): "单位公章",
    (15, "supporting_copy"): "单位公章",
    (26, "form"): "医院公章",
    (27, "form"): "医院公章",
    (28, "form"): "医院公章",
    (29, "form"): "医院公章",
    (30, "bill_list"): "医药机构印章",
    (31, "bill_list"): "医院印章",
    (31, "discharge_record"): "医院印章",
    (32, "bill_list"): "医院印章",
    (32, "medical_records"): "医院印章",
    (33, "medical_records"): "医院印章",
}


def test_seals(catalog):
    found = {
        (it.no, m.id): m.seal
        for it in catalog.items
        if it.no not in (36, 37)
        for m in it.materials
        if m.seal
    }
    assert found == SEALS


# item -> form number of its "form" material (Yongzhou guide 表N)
FORMS = {
    1: "表1",
    2: "表1",
    3: "表2",
    4: "表3",
    5: "表2",
    6: "表3",
    7: "表3",
    8: "表4",
    9: "表5",
    10: "表5",
    11: "表5",
    12: "表7",
    13: "表8",
    14: "表9",
    15: "表10",
    18: "表11",
    21: "表13",
    22: "表13",
    23: "表13",
    24: "表13",
    25: "表13",
    26: "表14",
    27: "表15",
    28: "表16",
    29: "表16",
    33: "表17或表18",
    36: "表19",
    37: "表20",
}


def test_form_numbers(catalog):
    found = {it.no: m.form for it in catalog.items for m in it.materials if m.form}
    assert found == FORMS


def test_every_form_number_is_on_the_form_material(catalog):
    assert {m.id for it in catalog.items for m in it.materials if m.form} == {
        "form",
        "flexible_form",
    }


@pytest.mark.parametrize("no", [38, 39])
def test_settlement_materials_follow_the_agreement(catalog, no):
    assert [m.name for m in item(catalog, no).materials] == [
        "办理材料根据定点医药机构与经办机构签订的协议执行"
    ]


# ------------------------------------------------------------------------------------------------
# Notes

NOTE_COUNTS = {
    1: 2, 2: 1, 3: 0, 4: 1, 5: 1, 6: 1, 7: 2, 8: 0, 9: 1, 10: 1,
    11: 1, 12: 1, 13: 1, 14: 1, 15: 1, 16: 1, 17: 0, 18: 2, 19: 2, 20: 2,
    21: 2, 22: 2, 23: 2, 24: 2, 25: 2, 26: 1, 27: 0, 28: 2, 29: 2, 30: 2,
    31: 2, 32: 3, 33: 3, 34: 3, 35: 3, 36: 2, 37: 0, 38: 0, 39: 0,
}  # fmt: skip


@pytest.mark.parametrize("no", sorted(NOTE_COUNTS))
def test_note_count(catalog, no):
    assert len(item(catalog, no).notes) == NOTE_COUNTS[no]


def test_note_numbering_is_dropped(catalog):
    for it in catalog.items:
        for note in it.notes:
            assert not note[:1].isdigit(), (it.no, note)


def test_item_36_notes(catalog):
    assert item(catalog, 36).notes == (
        "申请环节可只需提供第1项和第2项材料，其它材料可在审核评估环节提供；",
        "审核环节包括评估、公示、协商谈判、协议签订等。",
    )


def test_item_18_notes(catalog):
    assert item(catalog, 18).notes == (
        "因死亡支取的提供继承人身份证、银行卡账户信息，通过数据共享无法查询死亡信息的应提供个人承诺书；",
        "主动放弃参加职工基本医疗保险的，需提供主动放弃基本医疗保险的情况说明。",
    )


def test_item_16_note(catalog):
    assert item(catalog, 16).notes == ("单位有效证明文件可包括：统一社会信用代码证书或介绍信。",)


def test_merged_notes_cells_are_shared(catalog):
    # The notes cell spans the rows that share one basis cell: 21-25, 28-29, 30-31, 34-35.
    for group in ([21, 22, 23, 24, 25], [28, 29], [30, 31], [34, 35]):
        notes = {item(catalog, no).notes for no in group}
        assert len(notes) == 1, group


def test_item_21_online_note(catalog):
    assert item(catalog, 21).notes[0] == (
        "通过线上备案渠道申请办理异地就医备案的，原则上参保地经办机构应在两个工作日内办结；"
    )


# ------------------------------------------------------------------------------------------------
# Legal basis

BASIS_34 = (
    ("《社会救助暂行办法》（国务院令第649号）", "第二十九条"),
    ("《城乡医疗救助基金管理办法》（财社〔2013〕217号）", "第八条"),
    ("《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）", None),
    ("《湖南省医疗救助办法》（湘政办发〔2021〕62号）", None),
)


def basis_of(catalog: Catalog, no: int) -> tuple:
    return tuple((b.law, b.articles) for b in item(catalog, no).basis)


@pytest.mark.parametrize("no", [34, 35])
def test_assistance_basis_is_joined_across_the_two_rows(catalog, no):
    assert basis_of(catalog, no) == BASIS_34


def test_item_1_basis(catalog):
    assert basis_of(catalog, 1) == (
        ("《中华人民共和国社会保险法》", "第五十七条"),
        ("《社会保险费征缴暂行条例》（国务院令第259号）", "第八条"),
        ("《社会保险经办条例》（国务院令765号）", "第六条、第十条"),
        ("《湖南省职工基本医疗保险实施办法》（湘政办发〔2022〕66号）", "第三条、第六条"),
    )


def test_item_3_basis_laws(catalog):
    assert [law for law, _ in basis_of(catalog, 3)] == [
        "《中华人民共和国社会保险法》",
        "《社会保险经办条例》（国务院令第765号）",
        "《香港澳门台湾居民在内地（大陆）参加社会保险暂行办法》（中华人民共和国人力资源和社会保障部、国家医疗保障局令第41号）",
        "《在中国境内就业的外国人参加社会保险暂行办法》（中华人民共和国人力资源和社会保障部令第16号）",
        "《关于印发<外国人在中国永久居留享有相关待遇的办法〉的通知》（人社部发〔2012〕53号）",
        "《湖南省职工基本医疗保险实施办法》（湘政办发〔2022〕66号）",
        "《湖南省城乡居民基本医疗保险实施办法》（湘政办发〔2022〕67）",
    ]


def test_item_3_basis_articles(catalog):
    assert [articles for _, articles in basis_of(catalog, 3)] == [
        "第二十三条、第二十四条、第二十五条、第五十八条",
        "第六条",
        "第二条、第三条、第四条",
        "第三条、第四条",
        None,
        "第五条、第九条",
        "第八条、第九条",
    ]


def test_item_19_basis(catalog):
    assert basis_of(catalog, 19) == (
        ("《中华人民共和国社会保险法》（主席令第35号）", "第三十二条"),
        (
            "《国家医保局办公室财政部办公厅关于印发<基本医疗保险关系转移接续暂行办法〉的通知》（医保办发〔2021〕43号）",
            "第二条、第八条、第九条",
        ),
    )


def test_item_21_basis(catalog):
    assert basis_of(catalog, 21) == (
        (
            "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
            None,
        ),
        (
            "湖南省医疗保障局 湖南省财政厅关于印发《湖南省基本医疗保险异地就医直接结算管理办法（试行）》的通知（湘医保发〔2022〕61号）",
            None,
        ),
    )


@pytest.mark.parametrize(
    ("no", "law"),
    [
        (26, "《湖南省职工基本医疗保险慢特病门诊待遇保障管理办法》（湘医保发〔2022〕52号）"),
        (27, "《湖南省居民基本医疗保险慢特病门诊待遇保障管理办法》（湘医保发〔2023〕32号）"),
        (28, "《湖南省医保谈判药品“双通道”管理办法》（湘医保发〔2021〕34号）"),
        (29, "《湖南省医保谈判药品“双通道”管理办法》（湘医保发〔2021〕34号）"),
    ],
)
def test_single_law_basis(catalog, no, law):
    assert basis_of(catalog, no) == ((law, None),)


def test_settlement_bases_differ_by_article(catalog):
    assert basis_of(catalog, 38)[1] == (
        "《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）",
        "第三十条",
    )
    assert basis_of(catalog, 39)[1] == (
        "《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）",
        "第二十九条",
    )


# Rows whose basis cell is empty in the text share the merged cell above them.
BASIS_GROUPS = [
    [1, 2],
    [3, 4, 5, 6, 7, 8, 9, 10, 11],
    [12, 13, 14],
    [15],
    [16, 17],
    [18],
    [19, 20],
    [21, 22, 23, 24, 25],
    [26],
    [27],
    [28, 29],
    [30, 31],
    [32, 33],
    [34, 35],
    [36],
    [37],
    [38],
    [39],
]

BASIS_COUNTS = {
    1: 4, 3: 7, 12: 3, 15: 2, 16: 3, 18: 4, 19: 2, 21: 2, 26: 1, 27: 1,
    28: 1, 30: 4, 32: 3, 34: 4, 36: 2, 37: 2, 38: 2, 39: 2,
}  # fmt: skip


@pytest.mark.parametrize("group", BASIS_GROUPS, ids=lambda g: f"{g[0]}-{g[-1]}")
def test_basis_shared_within_a_merged_cell(catalog, group):
    assert {basis_of(catalog, no) for no in group} == {basis_of(catalog, group[0])}


def test_basis_cells_are_distinct(catalog):
    firsts = [basis_of(catalog, g[0]) for g in BASIS_GROUPS]
    assert len(set(firsts)) == len(firsts)


@pytest.mark.parametrize("first", sorted(BASIS_COUNTS))
def test_basis_law_count(catalog, first):
    assert len(basis_of(catalog, first)) == BASIS_COUNTS[first]


def test_every_item_has_a_basis(catalog):
    assert [i.no for i in catalog.items if not i.basis] == []


# ------------------------------------------------------------------------------------------------
# General notes and materials


def test_general_notes(catalog):
    assert catalog.general_notes == (
        "有效身份证件包括身份证、户口簿、护照、港澳居民来往内地通行证、港澳台居民居住证、外国人永久居留证等；",
        "委托办理业务的，应提供委托人及代理人身份证件原件及委托人授权委托书；",
        "初次办理手工（零星）报销等涉及费用支付业务或收款账户信息有变化的，应提供参保人银行账户信息。",
    )


def test_id_documents(catalog):
    assert catalog.id_documents == (
        "身份证",
        "户口簿",
        "护照",
        "港澳居民来往内地通行证",
        "港澳台居民居住证",
        "外国人永久居留证",
    )


def test_general_materials(catalog):
    assert [
        (
            g.note_no,
            g.applies_to,
            g.material.id,
            g.material.name,
            g.material.condition,
            g.material.copy,
        )
        for g in catalog.general_materials
    ] == [
        # 说明2 委托人及代理人身份证件（原件）: two IDs the clerk checks separately.
        (2, "all", "principal_id", "委托人身份证件", "proxy", "original"),
        (2, "all", "agent_id", "代理人身份证件", "proxy", "original"),
        (2, "all", "proxy_authorisation", "委托人授权委托书", "proxy", None),
        (3, "paying", "bank_account", "参保人银行账户信息", "first_payment", None),
    ]


def test_closing_note(catalog):
    assert catalog.closing_note == (
        "已有规定与上述政务服务事项清单内容不一致的，按本事项清单执行。国家或省级有关部门出台新规定的，从其规定。"
    )
