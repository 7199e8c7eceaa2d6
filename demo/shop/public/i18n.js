// The storefront's UI text in Chinese (default) and English, shared by the
// server (routes.mjs renders pages in the visitor's language) and the browser
// (app.js re-renders panels). The tag catalog keeps Chinese names; the
// English names live here, keyed by tag id.

export const TEXT = {
  zh: {
    brand: 'tagwise 小铺',
    nav_home: '商品',
    nav_cart: '购物车',
    nav_privacy: '隐私',
    nav_console: '运营后台',
    lang_toggle: 'English',
    skip: '跳到主要内容',
    digital_row: '数字商品（点卡 · 礼品卡 · 会员）',
    physical_row: '实物商品',
    add_to_cart: '加入购物车',
    added: '已加入购物车',
    view: '查看',
    price: '价格',
    category: '类别',
    buyers: (n) => `${n} 位顾客买过`,
    digital_badge: '数字商品 · 即时发卡',
    back: '← 返回商品列表',
    tags_title: '你的标签',
    tags_none: '暂无标签',
    tags_hint: '标签在你的浏览器里计算（WebAssembly），随浏览、加购、下单实时变化。',
    tags_consent_off: '个性化未开启：不计算个性化标签。',
    why: '为什么？',
    why_hide: '收起',
    dimension: { basic: '基础', behavior: '行为', preference: '偏好', value: '价值', lifecycle: '生命周期', risk: '风险' },
    recs_title: '为你推荐',
    recs_title_item: '看了这件商品的人还会买',
    recs_none: '暂无推荐',
    offers_title: '优惠',
    offers_none: '暂时没有可用的优惠',
    offers_use: '使用此优惠',
    offers_selected: '已选用，结账时生效',
    offers_caps: (c) => [
      c.perDay ? `今日已展示 ${c.perDay.used}/${c.perDay.limit}` : '',
      c.total ? `累计 ${c.total.used}/${c.total.limit}` : '',
    ].filter(Boolean).join(' · '),
    offers_other: '其他优惠为何不可用',
    offers_off: '营销用途未同意：不展示优惠。',
    cart_title: '购物车',
    cart_empty: '购物车是空的',
    cart_remove: '移除',
    cart_qty: '数量',
    subtotal: '小计',
    discount: '优惠',
    total: '应付',
    checkout: '去支付',
    paid: (order, amount) => `订单 ${order} 已支付 £${amount}。感谢购买！`,
    hero: {
      A: '双十一数字商品节：点卡、礼品卡即时到账',
      B: '充值卡秒到账 · 首单立减',
    },
    experiment: (key, variation, reason) => `实验 ${key}：变体 ${variation}（${reason}）`,
    consent_title: '我们如何使用你的数据',
    consent_text: '本店在你的浏览器中计算用户标签，用于个性化推荐、优惠和实验。必要用途始终开启；安全（防欺诈）基于正当利益默认开启，可在隐私设置中关闭；其他用途由你决定。',
    consent_accept: '全部接受',
    consent_necessary: '仅必要',
    consent_customise: '自定义',
    privacy_title: '隐私与数据',
    privacy_intro: '勾选后点“保存选择”生效：关闭某个用途后，它的标签不再计算，只为它保存的数据会从浏览器（IndexedDB）中删除。你的资料也会同步到本演示服务器的内存中（按访客 cookie），用于服务器端渲染你的标签；撤回同意时服务器副本同步更新（被撤回用途的数据随之删除），“忘记我”会删除服务器副本并更换访客 ID。',
    purpose: {
      necessary: ['必要', '购物车与下单所需，始终开启'],
      security: ['安全', '风控标签（如下单频率异常），基于正当利益'],
      personalization: ['个性化', '浏览、偏好标签与个性化推荐'],
      marketing: ['营销', '优惠券、价格敏感标签'],
      analytics: ['分析', 'A/B 实验'],
    },
    save: '保存选择',
    saved: '已保存',
    export_title: '导出我的数据',
    export_show: '查看数据',
    export_download: '下载 JSON',
    forget_title: '忘记我',
    forget_text: '删除本浏览器与服务器上为你保存的全部数据（事件、标签、优惠记录、实验分组），并更换访客 ID。',
    forget_button: '删除我的全部数据',
    forgotten: '已删除你的全部数据。',
    forget_confirm: '确定删除？此操作无法撤销：本浏览器和服务器上的数据都会被删除。',
    forget_yes: '确定删除',
    forget_no: '取消',
    order_title: '订单完成',
    error: '出错了：',
    loading: '加载中…',
    ssr_same: '服务器渲染的标签与浏览器一致，页面未重绘',
    ssr_changed: (n) => `浏览器的标签与服务器不同（${n} 处），已更新`,
  },
  en: {
    brand: 'tagwise shop',
    nav_home: 'Products',
    nav_cart: 'Cart',
    nav_privacy: 'Privacy',
    nav_console: 'Operator console',
    lang_toggle: '中文',
    skip: 'Skip to main content',
    digital_row: 'Digital goods (game cards · gift cards · memberships)',
    physical_row: 'Products',
    add_to_cart: 'Add to cart',
    added: 'Added to cart',
    view: 'View',
    price: 'Price',
    category: 'Category',
    buyers: (n) => `bought by ${n} customers`,
    digital_badge: 'Digital · instant delivery',
    back: '← Back to products',
    tags_title: 'Your tags',
    tags_none: 'No tags yet',
    tags_hint: 'Tags are computed in your browser (WebAssembly) and change live as you browse, add to cart and order.',
    tags_consent_off: 'Personalisation is off: personal tags are not computed.',
    why: 'Why?',
    why_hide: 'Hide',
    dimension: { basic: 'basic', behavior: 'behaviour', preference: 'preference', value: 'value', lifecycle: 'lifecycle', risk: 'risk' },
    recs_title: 'Recommended for you',
    recs_title_item: 'People who viewed this also buy',
    recs_none: 'No recommendations',
    offers_title: 'Offers',
    offers_none: 'No offers for you right now',
    offers_use: 'Use this offer',
    offers_selected: 'Selected: applied at checkout',
    offers_caps: (c) => [
      c.perDay ? `shown ${c.perDay.used}/${c.perDay.limit} today` : '',
      c.total ? `${c.total.used}/${c.total.limit} in total` : '',
    ].filter(Boolean).join(' · '),
    offers_other: 'Why other offers are not available',
    offers_off: 'Marketing is off: no offers are shown.',
    cart_title: 'Cart',
    cart_empty: 'Your cart is empty',
    cart_remove: 'Remove',
    cart_qty: 'Qty',
    subtotal: 'Subtotal',
    discount: 'Discount',
    total: 'Total',
    checkout: 'Pay now',
    paid: (order, amount) => `Order ${order} paid: £${amount}. Thank you!`,
    hero: {
      A: 'Digital goods week: game and gift cards delivered instantly',
      B: 'Top-up cards in seconds · money off your first order',
    },
    experiment: (key, variation, reason) => `Experiment ${key}: variation ${variation} (${reason})`,
    consent_title: 'How we use your data',
    consent_text: 'This shop computes visitor tags in your browser for personal recommendations, offers and experiments. Necessary is always on; security (fraud checks) is on by default as a legitimate interest and can be switched off in the privacy settings; the rest is your choice.',
    consent_accept: 'Accept all',
    consent_necessary: 'Necessary only',
    consent_customise: 'Customise',
    privacy_title: 'Privacy and your data',
    privacy_intro: 'Your choice takes effect when you press "Save choice": a purpose switched off stops its tags and deletes the data kept only for it from this browser (IndexedDB). Your profile is also copied to this demo server\'s memory (by a visitor cookie) so it can render your tags; withdrawing consent updates that copy too (data of the withdrawn purpose is deleted), and "Forget me" deletes it and gives you a new visitor id.',
    purpose: {
      necessary: ['Necessary', 'cart and orders; always on'],
      security: ['Security', 'risk tags (e.g. unusual order rate), legitimate interest'],
      personalization: ['Personalisation', 'browsing and preference tags, personal recommendations'],
      marketing: ['Marketing', 'coupons, the price-sensitive tag'],
      analytics: ['Analytics', 'A/B experiments'],
    },
    save: 'Save choice',
    saved: 'Saved',
    export_title: 'Export my data',
    export_show: 'Show data',
    export_download: 'Download JSON',
    forget_title: 'Forget me',
    forget_text: 'Deletes everything kept about you in this browser and on the server (events, tags, offer records, experiment assignments) and gives you a new visitor id.',
    forget_button: 'Delete all my data',
    forgotten: 'All your data was deleted.',
    forget_confirm: 'Delete everything? This cannot be undone: the data in this browser and on the server is deleted.',
    forget_yes: 'Delete',
    forget_no: 'Cancel',
    order_title: 'Order complete',
    error: 'Error: ',
    loading: 'Loading…',
    ssr_same: 'Server-rendered tags match the browser\'s: nothing re-rendered',
    ssr_changed: (n) => `The browser's tags differ from the server's (${n}): updated`,
  },
};

/** English tag names by id (the catalog's names are Chinese). */
export const TAG_NAMES_EN = {
  new_visitor: 'New visitor',
  browse_active: 'Active browser',
  high_intent: 'High intent, not converted',
  cart_abandon: 'Cart not checked out',
  first_order: 'First-order customer',
  repeat_buyer: 'Repeat buyer',
  digital_fan: 'Digital goods fan',
  gamer: 'Gamer',
  high_value: 'High value',
  price_sensitive: 'Price sensitive',
  order_burst: 'Unusual order rate',
};

/** Offer names in English (the offers file's names are Chinese). */
export const OFFER_NAMES_EN = {
  welcome: 'New-customer coupon',
  game_discount: '10% off game cards',
  cart_reminder: 'Cart reminder',
};

/** Why an offer is not eligible (tw.offers.eligible().ineligible reasons). */
export const OFFER_REASONS = {
  zh: {
    consent: '营销用途未同意', audience: '不在目标人群', once: '已使用过（每人一次）', cap_total: '已达累计上限',
    cap_day: '今日展示已达上限', cap_week: '本周展示已达上限', daily_cap: '今日优惠展示总数已达上限', group: '同组有更优的优惠',
    quiet_hours: '免打扰时段', not_started: '尚未开始', ended: '已结束', audience_error: '人群规则出错',
  },
  en: {
    consent: 'marketing not consented', audience: 'not in the audience', once: 'already used (once per customer)', cap_total: 'total cap reached',
    cap_day: 'daily cap reached', cap_week: 'weekly cap reached', daily_cap: 'daily cap across offers reached', group: 'a better offer of its group applies',
    quiet_hours: 'quiet hours', not_started: 'not started yet', ended: 'ended', audience_error: 'audience rule failed',
  },
};

export function text(lang) {
  return TEXT[lang === 'en' ? 'en' : 'zh'];
}

// "为什么？" in the shopper's words (demo/shop/public/explain.js): per tag
// of demo/shop/catalog.json, the sentence for a tag its rule holds, given
// { n: what its first events aggregate counted, value: the tag's value, money }.
export const WHY_TEXT = {
  zh: {
    tags: {
      new_visitor: () => '你还没有下过单，新人券等你来用。',
      first_order: () => '你在本店下过 1 单。',
      repeat_buyer: ({ value }) => `你在本店已下过 ${value} 单。`,
      browse_active: ({ n }) => `你今天看了 ${n} 个商品页。`,
      high_intent: ({ n }) => `最近 7 天你看了 ${n} 款不同的商品，还没有下单。`,
      cart_abandon: () => '你最近 7 天加购了商品，之后还没有下单。',
      digital_fan: ({ n }) => `最近 30 天你浏览、加购或购买了 ${n} 次数字商品。`,
      gamer: ({ n }) => `最近 30 天你浏览、加购或购买了 ${n} 次游戏点卡。`,
      high_value: ({ n, money }) => `最近 90 天你的订单共 ${money(n)}。`,
      price_sensitive: ({ n }) => `最近 30 天你看了 ${n} 次 £5 以下的商品。`,
      order_burst: ({ n }) => `最近 1 小时内你下了 ${n} 单，我们会多做一次安全核验。`,
    },
    holds: '你的行为符合这个标签的条件。',
    notHeld: '目前不符合这个标签的条件。',
    inherited: (children) => `因为你有「${children.join('」「')}」标签，所以也属于这一类。`,
    otherStage: (other) => `你现在处在「${other}」阶段，同一时间只有一个阶段。`,
    noConsent: '你没有同意这项用途，所以不计算这个标签。',
  },
  en: {
    tags: {
      new_visitor: () => 'You have not ordered yet: the new-customer coupon is waiting for you.',
      first_order: () => 'You have placed one order with us.',
      repeat_buyer: ({ value }) => `You have placed ${value} orders with us.`,
      browse_active: ({ n }) => `You looked at ${n} product pages today.`,
      high_intent: ({ n }) => `In the last 7 days you looked at ${n} different products and have not ordered yet.`,
      cart_abandon: () => 'You added something to your cart in the last 7 days and have not ordered since.',
      digital_fan: ({ n }) => `In the last 30 days you viewed, added or bought digital goods ${n} times.`,
      gamer: ({ n }) => `In the last 30 days you viewed, added or bought game cards ${n} times.`,
      high_value: ({ n, money }) => `Your orders of the last 90 days come to ${money(n)}.`,
      price_sensitive: ({ n }) => `In the last 30 days you looked at products under £5 ${n} times.`,
      order_burst: ({ n }) => `You placed ${n} orders within an hour, so we check payments once more.`,
    },
    holds: 'What you did matches this tag.',
    notHeld: 'What you did does not match this tag yet.',
    inherited: (children) => `You have ${children.join(', ')}, so this one comes with it.`,
    otherStage: (other) => `You are at the ${other} stage; there is one stage at a time.`,
    noConsent: 'You have not agreed to this use, so this tag is not worked out.',
  },
};

// Category codes (demo/data/build.mjs: CATEGORY_KEYWORDS of tools/retail/to_events.mjs
// for the retail goods, three for the digital ones) in the shopper's words.
const CATEGORY_NAMES = {
  GAME_CARD: ['游戏点卡', 'Game cards'], GIFT_CARD: ['礼品卡', 'Gift cards'], MEMBERSHIP: ['会员', 'Memberships'],
  NECKLACE: ['项链', 'Necklaces'], BRACELET: ['手链', 'Bracelets'], EARRINGS: ['耳饰', 'Earrings'], RING: ['戒指', 'Rings'],
  CLOCK: ['时钟', 'Clocks'], LIGHTS: ['灯串', 'Lights'], LANTERN: ['灯笼', 'Lanterns'], CANDLE: ['蜡烛', 'Candles'],
  'T-LIGHT': ['茶蜡', 'Tea lights'], MUG: ['马克杯', 'Mugs'], CUP: ['杯子', 'Cups'], PLATE: ['盘子', 'Plates'],
  BOWL: ['碗', 'Bowls'], DISH: ['碟子', 'Dishes'], BOTTLE: ['瓶子', 'Bottles'], JAR: ['罐子', 'Jars'],
  CUTLERY: ['餐具', 'Cutlery'], CUSHION: ['靠垫', 'Cushions'], DOORMAT: ['门垫', 'Doormats'], MIRROR: ['镜子', 'Mirrors'],
  FRAME: ['相框', 'Frames'], SIGN: ['标牌', 'Signs'], TILE: ['瓷砖', 'Tiles'], CARD: ['卡片', 'Cards'],
  WRAP: ['包装纸', 'Gift wrap'], RIBBON: ['丝带', 'Ribbons'], NOTEBOOK: ['笔记本', 'Notebooks'], STICKER: ['贴纸', 'Stickers'],
  PEN: ['笔', 'Pens'], PENCIL: ['铅笔', 'Pencils'], DECORATION: ['装饰', 'Decorations'], GARLAND: ['花环', 'Garlands'],
  BUNTING: ['彩旗', 'Bunting'], HOOK: ['挂钩', 'Hooks'], KNOB: ['把手', 'Knobs'], PURSE: ['钱包', 'Purses'],
  STAND: ['架子', 'Stands'], TRAY: ['托盘', 'Trays'], BASKET: ['篮子', 'Baskets'], TIN: ['铁盒', 'Tins'],
  BOX: ['盒子', 'Boxes'], BAG: ['包袋', 'Bags'], OTHER: ['其他', 'Other'],
};

/** A product category in the shopper's language (the code itself when it is not known). */
export function categoryName(code, lang) {
  const names = CATEGORY_NAMES[code];
  return names === undefined ? String(code ?? '') : names[lang === 'en' ? 1 : 0];
}

/** A product's display name in the UI language (digital goods have Chinese `name` and English `nameEn`). */
export function productName(product, lang) {
  if (product === undefined) return '';
  return lang === 'en' && product.nameEn ? product.nameEn : product.name;
}

/** A tag's display name in the UI language. */
export function tagName(id, meta, lang) {
  if (lang === 'en' && TAG_NAMES_EN[id]) return TAG_NAMES_EN[id];
  return meta[id]?.name ?? id;
}

/**
 * A recommendation reason as a sentence. `names(item)` gives an item's display name.
 * Cold-start reasons say that they are cold-start fallbacks.
 */
export function reasonText(reason, lang, names) {
  const en = lang === 'en';
  const pct = typeof reason.share === 'number' ? ` (${Math.round(reason.share * 100)}%)` : '';
  switch (reason.code) {
    case 'similar':
      return reason.from === 'context'
        ? (en ? `similar to ${names(reason.item)}${pct}` : `与「${names(reason.item)}」相似${pct}`)
        : (en ? `similar to ${names(reason.item)}, which you looked at${pct}` : `与你看过的「${names(reason.item)}」相似${pct}`);
    case 'bought_together':
      return reason.from === 'context'
        ? (en ? `often bought with ${names(reason.item)}${pct}` : `常与「${names(reason.item)}」一起购买${pct}`)
        : (en ? `often bought with ${names(reason.item)}, from your history${pct}` : `常与你看过/买过的「${names(reason.item)}」一起购买${pct}`);
    case 'segment':
      return en ? `popular in ${reason.value} (region best sellers, non-personal)` : `${reason.value === 'China' ? '中国' : reason.value}地区热销（按地区的热门榜，非个性化）`;
    case 'trending':
      return en ? 'trending now (non-personal fallback)' : '近期热度上升（非个性化兜底）';
    case 'popular':
      return en ? 'best seller (non-personal fallback)' : '全站热销（非个性化兜底）';
    case 'boost':
      return en ? `boosted for ${reason.label} ×${reason.factor}` : `因「${reason.label}」加权 ×${reason.factor}`;
    case 'personalization_off':
      return en ? 'personalisation is off: non-personal list' : '个性化已关闭：非个性化推荐';
    default:
      return reason.code;
  }
}
