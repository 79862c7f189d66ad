"""Chinese place names for the demo city: fixed lists, so the same seed gives the same names."""

CITY_NAME = "青岚市"
DISTRICT_NAME = "示范区"

STREET_NAMES = ("清河街道", "文昌街道", "桐柏街道", "南湖街道", "东风街道")

# Community (社区) names: place-name stems typical of an inland industrial city, one per community.
COMMUNITY_STEMS = (
    "和平里",
    "建设路",
    "纺织",
    "棉纺东",
    "桐柏",
    "工人新村",
    "五一",
    "红旗",
    "友谊",
    "文化宫",
    "百花",
    "长春",
    "铁路东",
    "铁路西",
    "电力",
    "邮电",
    "青年路",
    "育才",
    "学府",
    "兴华",
    "新兴",
    "永安",
    "金水",
    "南湖",
    "清河",
    "柳园",
    "杏花",
    "玉兰",
    "丰收",
    "光明",
    "幸福",
    "民主",
    "朝阳",
    "东风",
    "前进",
    "航海",
    "康宁",
    "福寿",
    "锦绣",
    "凤鸣",
    "龙湖",
    "望京",
    "翠竹",
    "银河",
)

# Compound (小区) names: older compounds are work-unit housing (单位家属院), newer ones estates.
DANWEI_STEMS = (
    "国棉三厂",
    "国棉五厂",
    "机械厂",
    "电业局",
    "市建一公司",
    "粮食局",
    "铁路局",
    "第二纺机",
    "化工厂",
    "教育局",
    "邮电局",
    "水泥厂",
    "卷烟厂",
    "供电公司",
    "煤炭设计院",
    "省建三公司",
)
DANWEI_SUFFIXES = ("家属院", "宿舍", "生活区", "东院", "西院")
ESTATE_STEMS = (
    "阳光",
    "锦江",
    "绿城",
    "碧水",
    "和谐",
    "金色",
    "翠苑",
    "盛世",
    "华庭",
    "怡景",
    "嘉园",
    "康桥",
    "东方",
    "银座",
    "名门",
    "御景",
    "枫林",
    "紫荆",
    "丽水",
    "泰和",
    "春晓",
    "汇景",
)
ESTATE_SUFFIXES = ("小区", "花园", "家园", "新城", "公寓", "雅苑")

# Road names: north–south roads are 路, east–west roads are 街 or 大道.
NS_ROAD_NAMES = (
    "建设路",
    "文化路",
    "桐柏路",
    "嵩山路",
    "伏牛路",
    "工人路",
    "大学路",
    "淮河路",
    "秦岭路",
    "华山路",
    "黄河路",
    "中原路",
)
EW_ROAD_NAMES = (
    "中原大道",
    "棉纺街",
    "互助街",
    "陇海街",
    "航海街",
    "友爱街",
    "冉屯街",
    "汝河街",
    "政通街",
    "百花街",
)
RIVER_NAME = "清河"
MOTORWAY_NAME = "西三环高速"
