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

/** Maps a code to the catalogue: known codes pass, others become `other`. */
export function normalizeCode(catalogue: Record<string, unknown>, code: string): { code: string; known: boolean } {
  return Object.prototype.hasOwnProperty.call(catalogue, code) ? { code, known: true } : { code: 'other', known: false };
}
