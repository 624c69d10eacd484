/** Incident categories aligned with GB/T 31000 "9+X"; unknown codes map to `other`. */
export const INCIDENT_CATEGORIES: Record<string, { zh: string; en: string }> = {
  theft: { zh: '盗窃', en: 'Theft' },
  burglary: { zh: '入室盗窃', en: 'Burglary' },
  robbery: { zh: '抢劫抢夺', en: 'Robbery' },
  assault: { zh: '故意伤害', en: 'Assault' },
  fraud: { zh: '诈骗', en: 'Fraud' },
  fight: { zh: '打架斗殴', en: 'Fight' },
  traffic: { zh: '交通事故', en: 'Traffic accident' },
  dispute: { zh: '矛盾纠纷', en: 'Dispute' },
  public_order: { zh: '扰乱秩序', en: 'Public order' },
  drugs: { zh: '涉毒', en: 'Drugs' },
  domestic_violence: { zh: '家庭暴力', en: 'Domestic violence' },
  missing_person: { zh: '人员走失', en: 'Missing person' },
  fire: { zh: '火灾', en: 'Fire' },
  hazard: { zh: '安全隐患', en: 'Hazard' },
  other: { zh: '其他', en: 'Other' },
};

/** Kinds of patrol units. */
export const UNIT_KINDS: Record<string, { zh: string; en: string }> = {
  car: { zh: '巡逻车', en: 'Patrol car' },
  foot: { zh: '步巡', en: 'Foot patrol' },
  bike: { zh: '骑巡', en: 'Bike patrol' },
  community_patrol: { zh: '群防群治', en: 'Community patrol' },
  other: { zh: '其他', en: 'Other' },
};

/**
 * Governance case categories (disputes and other unstable factors), aligned with the "9+X"
 * items of GB/T 31000: kinds of disputes, and the special groups, key youth and campus
 * safety work a grid follows.
 */
export const DISPUTE_KINDS: Record<string, { zh: string; en: string }> = {
  neighbour: { zh: '邻里纠纷', en: 'Neighbour dispute' },
  family: { zh: '婚姻家庭纠纷', en: 'Family dispute' },
  property_management: { zh: '物业纠纷', en: 'Property management' },
  land: { zh: '土地山林纠纷', en: 'Land dispute' },
  labour: { zh: '劳资纠纷', en: 'Labour (wage arrears)' },
  consumer: { zh: '消费纠纷', en: 'Consumer dispute' },
  construction: { zh: '征地拆迁纠纷', en: 'Demolition and relocation' },
  medical: { zh: '医疗纠纷', en: 'Medical dispute' },
  traffic: { zh: '交通事故纠纷', en: 'Traffic accident dispute' },
  environment: { zh: '环境污染纠纷', en: 'Environmental dispute' },
  investment: { zh: '涉众型经济纠纷', en: 'Mass economic dispute' },
  special_groups: { zh: '特殊人群服务管理', en: 'Special groups' },
  key_youth: { zh: '重点青少年', en: 'Key youth' },
  campus_safety: { zh: '校园及周边安全', en: 'Campus safety' },
  hazard: { zh: '安全隐患', en: 'Safety hazard' },
  other: { zh: '其他', en: 'Other' },
};

/** Maps a code to the catalogue: known codes pass, others become `other`. */
export function normalizeCode(catalogue: Record<string, unknown>, code: string): { code: string; known: boolean } {
  return Object.prototype.hasOwnProperty.call(catalogue, code) ? { code, known: true } : { code: 'other', known: false };
}
