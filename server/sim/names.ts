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

export function personName(rng: Rng, surname?: string): string {
  return (surname ?? rng.pick(SURNAMES)) + rng.pick(GIVEN);
}

export function surname(rng: Rng): string {
  return rng.pick(SURNAMES);
}

// No 0/O or 1/I: a tag read aloud or copied by hand stays unambiguous.
const TAG_CHARS = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** Four characters that tell apart people and organisations who share a name (about a million values). */
export function pseudonymTag(rng: Rng): string {
  let tag = '';
  for (let i = 0; i < 4; i++) tag += TAG_CHARS[Math.floor(rng.next() * TAG_CHARS.length)];
  return tag;
}

/**
 * A party to a dispute: a fake name with a pseudonymous tag (`王伟#K7Q2`). Without the tag,
 * 560 name combinations would make every other dispute look like a repeat with a shared party.
 */
export function partyName(rng: Rng, family?: string): string {
  return `${personName(rng, family)}#${pseudonymTag(rng)}`;
}

/** An organisation party (`建设物业服务公司#K7Q2`): a road's name, a trade, a tag. */
export function organisation(rng: Rng, trade: string): string {
  return `${rng.pick(ROADS).slice(0, 2)}${trade}#${pseudonymTag(rng)}`;
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
