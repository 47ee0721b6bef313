// What a delivery must look like: anything else is refused with 422.
import { z } from 'zod';

export const Delivery = z.object({
  event: z.string().min(1),
  id: z.string().uuid(),
  payload: z.record(z.unknown()).default({}),
});

export type Delivery = z.infer<typeof Delivery>;
