/**
 * Fake but plausible Chinese texts: names, phone numbers, id numbers, addresses and summaries.
 * Nothing here is a real person; values only look real so that masking and display code gets
 * exercised with realistic shapes.
 */
import type { Rng } from './random.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '华', '平', '刚', '桂英', '建国', '志强', '海燕', '晓东', '子涵', '浩然', '雨轩'];
const PHONE_PREFIXES = ['138', '139', '135', '136', '150', '151', '158', '186', '187', '177', '199'];
// Region codes of GB/T 2260 shape; a fake id number only needs the right structure.
const REGION_CODES = ['110105', '310104', '440106', '330106', '510107', '420102', '320102', '370102'];
const ROADS = ['人民路', '解放路', '中山路', '建设路', '和平路', '幸福路', '朝阳路', '新华路', '文化路', '光明路', '长江路', '黄河路', '青年路', '胜利路', '友谊路', '工业路'];
const PLACES = ['小区', '花园', '家园', '公寓', '新村'];

export function personName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN);
}

export function phoneNumber(rng: Rng): string {
  let digits = rng.pick(PHONE_PREFIXES);
  for (let i = 0; i < 8; i++) digits += String(rng.int(0, 9));
  return digits;
}

/** An 18-digit resident id number with a valid GB 11643 check digit. */
export function idNumber(rng: Rng): string {
  const year = rng.int(1950, 2005);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const body = `${rng.pick(REGION_CODES)}${year}${month}${day}${String(rng.int(0, 999)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (weights[i] ?? 0);
  return body + ('10X98765432'[sum % 11] ?? '0');
}

export function reporter(rng: Rng): { name: string; phone: string; idNumber: string } {
  return { name: personName(rng), phone: phoneNumber(rng), idNumber: idNumber(rng) };
}

/** A street address, optionally down to the flat (for incidents that happen at home). */
export function address(rng: Rng, place: string | undefined, indoors: boolean): string {
  const street = `${place ?? ''}${rng.pick(ROADS)}${rng.int(1, 399)}号`;
  if (!indoors) return street;
  const estate = rng.pick(ROADS).slice(0, 2) + rng.pick(PLACES);
  return `${street}${estate}${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 33)}0${rng.int(1, 4)}室`;
}

const INCIDENT_SUMMARIES: Record<string, readonly string[]> = {
  theft: ['报警人称电动车被盗', '报警人称手机在公交站被偷', '超市店内商品被盗', '停放车辆内财物被盗'],
  burglary: ['报警人称家中被盗，门锁有撬痕', '商铺夜间被撬，收银台现金丢失'],
  robbery: ['报警人称被人抢走挎包，嫌疑人骑摩托车逃离', '路边被持刀抢劫手机'],
  assault: ['报警人称被人殴打受伤', '有人持械伤人，伤者头部流血'],
  fraud: ['报警人称遭遇电信诈骗，被骗两万余元', '网购退款被骗', '冒充客服诈骗，已转账'],
  fight: ['多人在烧烤店门口打架', '酒后斗殴，现场约五人'],
  traffic: ['两车相撞，无人员受伤', '电动车与行人相撞，一人受伤', '车辆故障堵塞路口'],
  dispute: ['邻里因噪音发生纠纷', '顾客与商家发生口角', '因停车位发生争执'],
  public_order: ['有人在广场聚集喧哗', '有人醉酒滋事'],
  drugs: ['群众举报疑似吸毒人员', '出租屋内疑似有人聚众吸毒'],
  domestic_violence: ['报警人称遭丈夫殴打', '家中发生家暴，有孩子在场'],
  missing_person: ['报警人称老人走失，患有阿尔茨海默症', '孩子放学未归'],
  fire: ['居民楼冒烟，疑似起火', '电动车充电起火'],
  noise_complaint: ['楼下商铺夜间噪音扰民'],
};

export function incidentSummary(rng: Rng, category: string): string {
  return rng.pick(INCIDENT_SUMMARIES[category] ?? ['群众报警求助']);
}

/** Dispute kinds with a weight each; rural grids add land disputes. */
export const DISPUTE_KINDS = ['邻里纠纷', '劳资纠纷', '婚姻家庭', '物业纠纷', '消费纠纷', '土地纠纷'] as const;

const DISPUTE_SUMMARIES: Record<string, readonly string[]> = {
  邻里纠纷: ['楼上漏水导致楼下墙面受损，双方协商未果', '因公共楼道堆放杂物发生争执'],
  劳资纠纷: ['工地拖欠农民工工资约八万元', '员工离职后公司未结清工资'],
  婚姻家庭: ['夫妻因财产分割发生矛盾', '子女赡养老人问题产生纠纷'],
  物业纠纷: ['业主与物业因收费标准发生纠纷', '小区电梯长期故障，业主拒交物业费'],
  消费纠纷: ['预付卡商家跑路，消费者要求退款', '装修质量问题引发纠纷'],
  土地纠纷: ['两户村民因宅基地边界发生争执', '承包地流转费用纠纷'],
};

export function disputeSummary(rng: Rng, kind: string): string {
  return rng.pick(DISPUTE_SUMMARIES[kind] ?? ['矛盾纠纷待调处']);
}

export const MEDIATION_OUTCOMES = ['双方达成调解协议', '经调解当事人和解', '已签订书面调解协议，履行完毕'];

export const PETITION_SUBJECTS = ['拆迁补偿标准异议', '小区物业费争议', '拖欠工资问题', '学区划分问题', '噪音污染投诉', '农村土地征收补偿', '道路施工扰民'];

export const SUPERVISION_INSTRUCTIONS = ['请于期限内办结并反馈', '限期化解，防止矛盾升级', '请街道牵头督办落实', '请核实情况，依法依规处理'];

export const GRIDWORKER_REPORTS: Record<string, readonly string[]> = {
  hazard: ['发现小区消防通道被占用', '路面井盖缺失', '老旧电线私拉乱接', '电动车楼道充电'],
  dispute_lead: ['居民反映楼上漏水引发矛盾苗头', '商户与居民因油烟问题有矛盾苗头'],
  visit: ['走访独居老人，情况正常', '走访重点人员，情绪稳定', '入户走访出租屋，登记流动人口'],
};

export const FEEDBACK_COMMENTS: Record<number, readonly string[]> = {
  1: ['处理太慢，问题没有解决'],
  2: ['出警慢，态度一般'],
  3: ['基本解决，希望加快速度'],
  4: ['处理及时，比较满意'],
  5: ['民警态度很好，非常满意', '网格员很负责，点赞'],
};
