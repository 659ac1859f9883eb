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
  /** More state attributes, as Home Assistant reports them (a thermostat's temperatures). */
  attributes?: Record<string, unknown>;
}

export interface SimulatedScene {
  id: string;
  name: string;
  aliases: string[];
  /** What the scene sets: entity → state, or a light's brightness percent. */
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
  { id: 'switch.office_fan', name: 'Office Fan', area: 'office', aliases: ['fan', 'desk fan'], state: 'off' },
];
const LOCKS: SimulatedDevice[] = [
  { id: 'lock.front_door', name: 'Front Door', area: 'hallway', aliases: ['front door lock', 'main door'], state: 'locked' },
  { id: 'lock.back_door', name: 'Back Door', area: 'kitchen', aliases: ['back door lock', 'kitchen door'], state: 'locked' },
  { id: 'lock.garage_door', name: 'Garage Door', aliases: ['garage'], state: 'locked' },
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
    sets: { 'light.living_room_lamp': 20, 'light.living_room_ceiling': 'off', 'light.kitchen_ceiling': 'off', 'light.kitchen_counter': 'off', 'light.hallway': 'off' },
  },
  {
    id: 'scene.good_night',
    name: 'Good Night',
    aliases: ['bedtime', 'goodnight'],
    sets: {
      ...Object.fromEntries(LIGHTS.map((l) => [l.id, 'off'])),
      'switch.coffee_maker': 'off',
      'switch.office_fan': 'off',
      'lock.front_door': 'locked',
      'lock.back_door': 'locked',
      'lock.garage_door': 'locked',
      'light.porch': 10,
    },
  },
  {
    id: 'scene.good_morning',
    name: 'Good Morning',
    aliases: ['morning', 'wake up'],
    sets: { 'light.kitchen_ceiling': 100, 'switch.coffee_maker': 'on', 'light.bedroom_ceiling': 60, 'light.porch': 'off' },
  },
];

/** A small house: ten lights, two switches, three locks, a thermostat and three scenes. */
export const DEFAULT_LAYOUT: SimulatedLayout = { devices: [...LIGHTS, ...SWITCHES, ...LOCKS, THERMOSTAT], scenes: SCENES };
