"""Sample records a new workspace can explore, in its own language.

These are data, not interface text: a mainland workspace gets mainland company and personal
names, a Taiwanese or Hong Kong one traditional characters, others English. Chinese personal
names are kept whole in the last-name field (family name first, as they are written).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleSet:
    tag: str
    #: (name, web domain, industry, city)
    companies: tuple[tuple[str, str, str, str], ...]
    #: (first name, last name, job title, company index)
    contacts: tuple[tuple[str, str, str, int], ...]
    #: (title, company index, amount, open stage index or -1 for won, contact indexes)
    deals: tuple[tuple[str, int, str, int, tuple[int, ...]], ...]
    #: (kind, subject, days from today, contact index, deal index or -1, done)
    activities: tuple[tuple[str, str, int, int, int, bool], ...]
    #: (name, company name, source)
    leads: tuple[tuple[str, str, str], ...]


ENGLISH = SampleSet(
    tag="Sample",
    companies=(
        ("Harbor Logistics", "harbor-logistics.example", "Logistics", "Rotterdam"),
        ("Greenleaf Café", "greenleaf-cafe.example", "Hospitality", "Melbourne"),
        ("Summit Dental Clinic", "summit-dental.example", "Healthcare", "Leeds"),
        ("Atlas Components", "atlas-components.example", "Manufacturing", "Lyon"),
    ),
    contacts=(
        ("Jana", "Weber", "Head of Operations", 0),
        ("Tom", "Fischer", "Purchasing Manager", 0),
        ("Inês", "Costa", "Owner", 1),
        ("Oliver", "Grant", "Practice Manager", 2),
        ("Chloé", "Bernard", "CFO", 3),
        ("Luc", "Moreau", "Engineer", 3),
    ),
    deals=(
        ("Fleet tracking rollout", 0, "48000", 2, (0,)),
        ("Route planning pilot", 0, "12000", 0, (1,)),
        ("Loyalty programme", 1, "6500", 1, (2,)),
        ("Second practice opening", 2, "18000", 0, (3,)),
        ("Spare parts portal", 3, "32000", -1, (4, 5)),
    ),
    activities=(
        ("call", "Follow up on the proposal", -2, 0, 0, True),
        ("meeting", "Demo for the operations team", 2, 1, 1, False),
        ("task", "Send the revised quote", 1, 2, 2, False),
        ("call", "Check in after the trial", 5, 3, 3, False),
        ("note", "Met at the trade fair; budget approved for Q3.", -7, 4, 4, True),
    ),
    leads=(
        ("Hannah Ljung", "Ljung Bikes", "website"),
        ("Pedro Alves", "Alves Imports", "referral"),
    ),
)

SIMPLIFIED = SampleSet(
    tag="示例数据",
    companies=(
        ("海港物流有限公司", "haigang-logistics.example", "物流", "上海"),
        ("绿叶咖啡", "lvye-cafe.example", "餐饮", "杭州"),
        ("明德口腔诊所", "mingde-dental.example", "医疗", "广州"),
        ("恒通精密零件", "hengtong-parts.example", "制造", "苏州"),
    ),
    contacts=(
        ("", "王伟", "运营总监", 0),
        ("", "李芳", "采购经理", 0),
        ("", "张静", "店长", 1),
        ("", "刘磊", "院长", 2),
        ("", "陈敏", "财务总监", 3),
        ("", "杨洋", "工程师", 3),
    ),
    deals=(
        ("车队定位系统上线", 0, "380000", 2, (0,)),
        ("路线规划试点", 0, "90000", 0, (1,)),
        ("会员积分项目", 1, "45000", 1, (2,)),
        ("新门诊开业", 2, "120000", 0, (3,)),
        ("备件采购平台", 3, "260000", -1, (4, 5)),
    ),
    activities=(
        ("call", "跟进方案反馈", -2, 0, 0, True),
        ("meeting", "为运营团队演示", 2, 1, 1, False),
        ("task", "发送修改后的报价", 1, 2, 2, False),
        ("call", "试用结束后回访", 5, 3, 3, False),
        ("note", "展会上认识，第三季度预算已批准。", -7, 4, 4, True),
    ),
    leads=(
        ("赵娜", "赵氏自行车行", "website"),
        ("孙浩", "孙记进出口贸易", "referral"),
    ),
)

TRADITIONAL = SampleSet(
    tag="範例資料",
    companies=(
        ("海港物流股份有限公司", "haigang-logistics.example", "物流", "台北"),
        ("綠葉咖啡", "lvye-cafe.example", "餐飲", "台中"),
        ("明德牙醫診所", "mingde-dental.example", "醫療", "高雄"),
        ("恆通精密零件", "hengtong-parts.example", "製造", "新竹"),
    ),
    contacts=(
        ("", "王大明", "營運總監", 0),
        ("", "李美玲", "採購經理", 0),
        ("", "張志豪", "店長", 1),
        ("", "林淑芬", "院長", 2),
        ("", "陳建宏", "財務長", 3),
        ("", "黃雅婷", "工程師", 3),
    ),
    deals=(
        ("車隊定位系統導入", 0, "1500000", 2, (0,)),
        ("路線規劃試辦", 0, "350000", 0, (1,)),
        ("會員集點方案", 1, "180000", 1, (2,)),
        ("新診所開幕", 2, "480000", 0, (3,)),
        ("備品採購平台", 3, "1000000", -1, (4, 5)),
    ),
    activities=(
        ("call", "追蹤提案回覆", -2, 0, 0, True),
        ("meeting", "為營運團隊示範", 2, 1, 1, False),
        ("task", "寄出修改後的報價", 1, 2, 2, False),
        ("call", "試用結束後回訪", 5, 3, 3, False),
        ("note", "展覽上認識，第三季預算已核准。", -7, 4, 4, True),
    ),
    leads=(
        ("趙怡君", "趙家單車行", "website"),
        ("孫志明", "孫記進出口貿易", "referral"),
    ),
)

SAMPLE_SETS = {"en": ENGLISH, "zh-hans": SIMPLIFIED, "zh-hant": TRADITIONAL}


def sample_set(language: str) -> SampleSet:
    """The sample records in ``language`` (English for any other)."""
    return SAMPLE_SETS.get(language, ENGLISH)
