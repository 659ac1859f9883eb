/**
 * What a simulated home holds: devices shaped like Home Assistant entities, and scenes. The
 * default is a small house; tests and benches bring other homes in the same shape.
 */

export interface SimulatedDevice {
  /** `<domain>.<object_id>`. */
  id: string;
  name: string;
  area?: string;
  aliases?: string[];
  state: string;
  /** Lights: 0..255 while on. */
  brightness?: number;
  /** More state attributes, as Home Assistant reports them (a thermostat's temperatures, a cover's `device_class`). */
  attributes?: Record<string, unknown>;
  /** Media players: the titles in their queue, in order (`media_title` while playing or paused). */
  queue?: string[];
}

export interface SimulatedScene {
  id: string;
  name: string;
  aliases: string[];
  /** What the scene sets: entity → state, or a percent (a light's brightness, a fan's speed, a cover's position). */
  sets: Record<string, string | number>;
}

export interface SimulatedLayout {
  devices: SimulatedDevice[];
  scenes: SimulatedScene[];
}

const LIGHTS: SimulatedDevice[] = [
  { id: 'light.kitchen_ceiling', name: 'Kitchen Ceiling Light', area: 'kitchen', aliases: ['kitchen light'], state: 'off' },
  { id: 'light.kitchen_counter', name: 'Kitchen Counter Lights', area: 'kitchen', aliases: ['counter lights', 'under cabinet lights'], state: 'off' },
  { id: 'light.living_room_lamp', name: 'Living Room Lamp', area: 'living room', aliases: ['floor lamp'], state: 'on', brightness: 128 },
  { id: 'light.living_room_ceiling', name: 'Living Room Ceiling Light', area: 'living room', aliases: ['lounge light'], state: 'off' },
  { id: 'light.bedroom_ceiling', name: 'Bedroom Light', area: 'bedroom', aliases: ['bedroom ceiling light'], state: 'off' },
  { id: 'light.bedside_lamp', name: 'Bedside Lamp', area: 'bedroom', aliases: ['reading light', 'nightstand lamp'], state: 'off' },
  { id: 'light.office_ceiling', name: 'Office Light', area: 'office', aliases: ['office ceiling light'], state: 'off' },
  { id: 'light.desk_lamp', name: 'Desk Lamp', area: 'office', aliases: ['office lamp'], state: 'off' },
  { id: 'light.hallway', name: 'Hallway Light', area: 'hallway', aliases: ['hall light'], state: 'off' },
  { id: 'light.porch', name: 'Porch Light', area: 'porch', aliases: ['outside light', 'outdoor light'], state: 'off' },
];
const SWITCHES: SimulatedDevice[] = [
  { id: 'switch.coffee_maker', name: 'Coffee Maker', area: 'kitchen', aliases: ['coffee machine'], state: 'off' },
  // A desk fan on a smart plug: a switch, as Home Assistant sees it.
  { id: 'switch.office_fan', name: 'Office Fan', area: 'office', aliases: ['desk fan'], state: 'off' },
];
const LOCKS: SimulatedDevice[] = [
  { id: 'lock.front_door', name: 'Front Door', area: 'hallway', aliases: ['front door lock', 'main door'], state: 'locked' },
  { id: 'lock.back_door', name: 'Back Door', area: 'kitchen', aliases: ['back door lock', 'kitchen door'], state: 'locked' },
];

// Feature bits, as Home Assistant's FanEntityFeature, CoverEntityFeature and MediaPlayerEntityFeature.
const FAN_SET_SPEED = 1, FAN_TURN_OFF = 16, FAN_TURN_ON = 32;
const COVER_OPEN = 1, COVER_CLOSE = 2, COVER_SET_POSITION = 4, COVER_STOP = 8;
const MEDIA_PAUSE = 1, MEDIA_VOLUME_SET = 4, MEDIA_VOLUME_MUTE = 8, MEDIA_NEXT_TRACK = 32, MEDIA_TURN_ON = 128, MEDIA_TURN_OFF = 256;
const MEDIA_VOLUME_STEP = 1024, MEDIA_STOP = 4096, MEDIA_PLAY = 16384;
const PLAYER_FEATURES = MEDIA_PAUSE | MEDIA_VOLUME_SET | MEDIA_VOLUME_MUTE | MEDIA_NEXT_TRACK | MEDIA_TURN_ON | MEDIA_TURN_OFF | MEDIA_VOLUME_STEP | MEDIA_STOP | MEDIA_PLAY;

const FANS: SimulatedDevice[] = [
  {
    id: 'fan.bedroom_ceiling_fan',
    name: 'Bedroom Ceiling Fan',
    area: 'bedroom',
    aliases: ['ceiling fan'],
    state: 'off',
    attributes: { percentage: 0, percentage_step: 1, supported_features: FAN_SET_SPEED | FAN_TURN_OFF | FAN_TURN_ON },
  },
];
const COVERS: SimulatedDevice[] = [
  {
    id: 'cover.living_room_blinds',
    name: 'Living Room Blinds',
    area: 'living room',
    aliases: ['blinds'],
    state: 'open',
    attributes: { device_class: 'blind', current_position: 100, supported_features: COVER_OPEN | COVER_CLOSE | COVER_SET_POSITION | COVER_STOP },
  },
  // A garage door opener opens and closes; it reports no position.
  { id: 'cover.garage_door', name: 'Garage Door', aliases: ['garage'], state: 'closed', attributes: { device_class: 'garage', supported_features: COVER_OPEN | COVER_CLOSE | COVER_STOP } },
];
const PLAYERS: SimulatedDevice[] = [
  {
    id: 'media_player.living_room_tv',
    name: 'Living Room TV',
    area: 'living room',
    aliases: ['tv', 'television'],
    state: 'off',
    attributes: { device_class: 'tv', volume_level: 0.3, is_volume_muted: false, supported_features: PLAYER_FEATURES },
    queue: ['Planet Earth', 'The Great British Bake Off', 'Match of the Day'],
  },
  {
    id: 'media_player.kitchen_speaker',
    name: 'Kitchen Speaker',
    area: 'kitchen',
    aliases: ['kitchen radio'],
    state: 'idle',
    attributes: { device_class: 'speaker', volume_level: 0.4, is_volume_muted: false, supported_features: PLAYER_FEATURES },
    queue: ['Blue in Green', 'So What', 'Take Five', 'Clair de Lune'],
  },
];

const THERMOSTAT: SimulatedDevice = {
  id: 'climate.thermostat',
  name: 'Thermostat',
  area: 'hallway',
  aliases: ['heating', 'heat', 'temperature'],
  state: 'heat',
  attributes: { hvac_modes: ['off', 'heat'], current_temperature: 20.5, temperature: 21, min_temp: 10, max_temp: 30, target_temp_step: 0.5 },
};

const SCENES: SimulatedScene[] = [
  {
    id: 'scene.movie_night',
    name: 'Movie Night',
    aliases: ['movie mode', 'movie time'],
    sets: {
      'light.living_room_lamp': 20,
      'light.living_room_ceiling': 'off',
      'light.kitchen_ceiling': 'off',
      'light.kitchen_counter': 'off',
      'light.hallway': 'off',
      'cover.living_room_blinds': 'closed',
      'media_player.living_room_tv': 'on',
    },
  },
  {
    id: 'scene.good_night',
    name: 'Good Night',
    aliases: ['bedtime', 'goodnight'],
    sets: {
      ...Object.fromEntries(LIGHTS.map((l) => [l.id, 'off'])),
      'switch.coffee_maker': 'off',
      'switch.office_fan': 'off',
      'fan.bedroom_ceiling_fan': 'off',
      'media_player.living_room_tv': 'off',
      'media_player.kitchen_speaker': 'off',
      'lock.front_door': 'locked',
      'lock.back_door': 'locked',
      'cover.garage_door': 'closed',
      'cover.living_room_blinds': 'closed',
      'light.porch': 10,
    },
  },
  {
    id: 'scene.good_morning',
    name: 'Good Morning',
    aliases: ['morning', 'wake up'],
    sets: { 'light.kitchen_ceiling': 100, 'switch.coffee_maker': 'on', 'light.bedroom_ceiling': 60, 'light.porch': 'off', 'cover.living_room_blinds': 'open' },
  },
];

/** A small house: ten lights, two switches, a ceiling fan, blinds, a garage door, a TV, a speaker, two locks, a thermostat and three scenes. */
export const DEFAULT_LAYOUT: SimulatedLayout = { devices: [...LIGHTS, ...SWITCHES, ...FANS, ...COVERS, ...PLAYERS, ...LOCKS, THERMOSTAT], scenes: SCENES };
