import { shuffled, type Rng } from './prng.js';

export const DEMO_CITY_NAME = '临江市';

// made-up district names; none of them names the city
const DISTRICTS = ['东湖区', '江岸区', '南湖区', '龙泉区', '凤鸣区', '桂园区', '白沙区', '青峰区', '望湖区', '金桥区'];

const FIRST = [...'紫花桂梅兰竹松柳杨桃青翠丹红白黄新永长安康宁和平福兴盛华光明东西南北中前后古石沙水江湖港山峰林泉溪鹤凤龙鹿云霞阳月星春秋景文德仁义'];
const SECOND = [...'阳桥门湾坊园岭港苑庄塘堤岸亭台楼湖山林泉城店关坪墩洲口里巷路村滨畔坡'];

/** District names for `count` districts, shuffled so seeds give different maps. */
export function districtNames(rng: Rng, count: number): string[] {
  const names = shuffled(rng, DISTRICTS).slice(0, count);
  for (let i = names.length; i < count; i++) names.push(`第${i + 1}区`);
  return names;
}

/**
 * Two-character place names, unique city-wide so that a street and a community
 * never share a name (real cities do that, but it muddles the demo).
 */
export function placeNameSource(rng: Rng): () => string {
  const used = new Set<string>();
  const pick = (pool: readonly string[]) => pool[Math.floor(rng() * pool.length)] ?? '';
  return () => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const name = pick(FIRST) + pick(SECOND);
      if (name[0] === name[1] || used.has(name)) continue;
      used.add(name);
      return name;
    }
    // only reached after ~all combinations are taken; keeps the generator total
    const fallback = `新区${used.size + 1}`;
    used.add(fallback);
    return fallback;
  };
}
