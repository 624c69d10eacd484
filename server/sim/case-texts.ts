/**
 * Texts of the simulated governance work: what disputes are about, who mediates and where they
 * are routed, what petitions ask, what leaders instruct and what residents say. Plain data; the
 * decisions live in disputes.ts, petitions.ts and supervision.ts. Fake but plausible.
 */
import type { Level } from '../../shared/jurisdiction.js';

/** Dispute summaries by catalogue code (shared/catalogue.ts DISPUTE_KINDS). */
export const DISPUTE_SUMMARIES: Record<string, readonly string[]> = {
  neighbour: ['楼上漏水导致楼下墙面受损，双方协商未果', '因公共楼道堆放杂物发生争执', '装修噪音扰民引发矛盾', '因占用公共车位发生口角'],
  family: ['夫妻因财产分割发生矛盾', '子女赡养老人问题产生纠纷', '兄弟之间因老宅继承发生争执', '离婚后子女抚养费支付纠纷'],
  property_management: ['业主与物业因收费标准发生纠纷', '小区电梯长期故障，业主拒交物业费', '物业擅自占用公共绿地设置车位', '小区维修资金使用引发业主不满'],
  labour: ['工地拖欠农民工工资约八万元', '员工离职后公司未结清工资', '工伤赔偿标准协商不成', '加班费计算方式引发争议'],
  land: ['两户村民因宅基地边界发生争执', '承包地流转费用纠纷', '山林界址不清引发矛盾'],
  consumer: ['预付卡商家跑路，消费者要求退款', '装修质量问题引发纠纷', '二手车交易隐瞒事故引发纠纷'],
  construction: ['拆迁补偿款分配引发家庭内部纠纷', '对房屋征收评估价格有异议'],
  medical: ['患者家属对手术结果不满，要求赔偿', '对诊疗费用有异议'],
  traffic: ['交通事故赔偿金额协商不成', '电动车与行人相撞，医疗费分担有争议'],
  environment: ['工厂夜间排放异味，周边居民不满', '餐馆油烟扰民，多次协商未果'],
  investment: ['多名居民参与的理财产品无法兑付', '养老服务预付款无法退还'],
  other: ['矛盾纠纷待调处'],
};

/** Departments a dispute goes to when it is not settled locally, by kind (the "routed" stage). */
export const DEPARTMENTS: Record<string, readonly string[]> = {
  neighbour: ['人民调解委员会', '司法所', '派出所'],
  family: ['司法所', '法院诉前调解', '妇联'],
  property_management: ['住建局', '街道物业办', '人民调解委员会'],
  labour: ['劳动监察大队', '劳动人事争议仲裁院'],
  land: ['自然资源局', '司法所'],
  consumer: ['市场监管局', '法院诉前调解'],
  construction: ['住建局', '征收办'],
  medical: ['医疗纠纷人民调解委员会', '卫健局'],
  traffic: ['交警大队', '法院诉前调解'],
  environment: ['生态环境局', '城管执法局'],
  investment: ['派出所', '金融办'],
  other: ['司法所', '法院诉前调解'],
};

/** Who mediates at each responsible level. */
export const MEDIATORS: Record<Level, string> = {
  grid: '网格员', community: '社区人民调解委员会', street: '街道综治中心', district: '区矛盾纠纷调处化解中心', city: '市社会治理中心',
};

export const mediationSummary = (level: Level) => `${MEDIATORS[level]}组织双方调解`;

/** The `routed` stage of a dispute settled where it is: no department, followed up locally. */
export const localFollowUp = (level: Level) => `就地化解，由${MEDIATORS[level]}跟进落实`;

/** Why a dispute goes up a level, by the level it leaves. */
export const ESCALATION_REASONS: Record<string, readonly string[]> = {
  grid: ['调解未果，涉及人数较多', '网格调解未果，双方分歧较大', '当事人情绪激动，网格难以化解'],
  community: ['社区调解未果，矛盾有激化风险', '涉及多个部门职责，需街道协调', '调解未果，涉及人数较多'],
  street: ['涉及群体性诉求，需区级统筹', '街道调处未果，存在越级上访风险'],
  district: ['涉及跨区事项，提请市级协调'],
};

export const ASSESSMENT_SUMMARIES: Record<'low' | 'medium' | 'high', string> = {
  low: '风险研判：矛盾较轻，可就地化解',
  medium: '风险研判：存在反复风险，需持续跟进',
  high: '风险研判：有激化苗头，列入重点管控',
};

export const LOCAL_OUTCOMES = ['双方达成口头调解协议', '签订书面人民调解协议，当场履行', '经调解当事人和解，撤回投诉', '调解协议已履行完毕'];

/** Outcomes after routing, by department (a generic one for the rest). */
export const ROUTED_OUTCOMES: Record<string, readonly string[]> = {
  劳动监察大队: ['责令用人单位补发拖欠工资', '用人单位已结清工资，当事人息诉'],
  劳动人事争议仲裁院: ['仲裁调解达成协议'],
  法院诉前调解: ['诉前调解达成协议，已申请司法确认'],
  住建局: ['督促物业整改到位，业主认可'],
  派出所: ['依法处理，双方和解'],
  人民调解委员会: ['调委会主持达成书面调解协议'],
  司法所: ['司法所调解达成协议，履行完毕'],
};
export const ROUTED_OUTCOME_DEFAULT = '职能部门依法处理完毕，当事人息诉罢访';

export const PETITION_SUBJECTS = [
  '拆迁补偿标准异议', '小区物业费争议', '拖欠工资问题', '学区划分问题', '噪音污染投诉', '农村土地征收补偿',
  '道路施工扰民', '低保资格认定异议', '养老保险待遇核定', '违章建筑举报', '不动产登记办理缓慢',
];

/** 信访 channels: visits, letters, the online platform and the hotline. */
export const PETITION_CHANNELS: readonly (readonly [string, number])[] = [['visit', 35], ['letter', 15], ['online', 35], ['hotline', 15]];

export const PETITION_ANSWERS = [
  '已书面答复信访人，告知办理结果', '经调查核实，诉求部分合理，已督促相关部门整改', '诉求不属实，已向信访人解释说明',
  '已协调相关部门落实补偿', '已依法依规作出处理意见并送达',
];

export const PETITION_ESCALATION_REASONS = ['信访人对办理进度不满，提请上级信访部门督办', '涉及多部门职责，提请上级协调', '重复信访，列入上级交办事项'];

export const SUPERVISION_INSTRUCTIONS = ['请于期限内办结并反馈', '限期化解，防止矛盾升级', '请上级牵头督办落实', '请核实情况，依法依规处理', '逾期未办结，请说明原因并限期整改'];

export const SUPERVISION_ANSWERS = ['已按要求落实，情况已反馈', '已组织专题会商，明确责任单位和办结时限', '案件已办结，当事人认可处理结果', '已约谈责任人，限期整改到位'];

/** Residents' comments on a dispute or petition, by satisfaction. */
export const CASE_FEEDBACK_COMMENTS: Record<number, readonly string[]> = {
  1: ['问题没有真正解决，还会再反映', '推来推去，没人管'],
  2: ['拖的时间太长', '处理结果不太满意'],
  3: ['基本解决，希望以后加快速度'],
  4: ['处理及时，比较满意', '调解员很耐心'],
  5: ['网格员很负责，点赞', '问题彻底解决，非常满意', '调解员耐心细致，感谢'],
};

/** Residents' comments on a closed incident, by satisfaction. */
export const INCIDENT_FEEDBACK_COMMENTS: Record<number, readonly string[]> = {
  1: ['处理太慢，问题没有解决'],
  2: ['出警慢，态度一般'],
  3: ['基本解决，希望加快速度'],
  4: ['处理及时，比较满意'],
  5: ['民警态度很好，非常满意'],
};

export const GRIDWORKER_REPORTS: Record<string, readonly string[]> = {
  hazard: ['发现小区消防通道被占用', '路面井盖缺失', '老旧电线私拉乱接', '电动车楼道充电', '沿街店铺燃气瓶存放不规范', '围墙有倒塌隐患'],
  dispute_lead: ['居民反映楼上漏水引发矛盾苗头', '商户与居民因油烟问题有矛盾苗头', '工地工人反映工资迟迟未发', '两户村民因排水沟走向有争执苗头'],
  visit: ['走访独居老人，情况正常', '走访重点人员，情绪稳定', '入户走访出租屋，登记流动人口', '走访困难家庭，了解帮扶需求', '走访沿街商户，宣传防诈知识'],
};

/** A grid worker's return visit (回访) after a dispute was resolved. */
export const RETURN_VISITS = { good: '回访纠纷当事人，调解协议履行良好', poor: '回访纠纷当事人，仍有不满情绪，持续关注' } as const;
