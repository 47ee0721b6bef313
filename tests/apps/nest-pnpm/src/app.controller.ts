import { Controller, Get } from '@nestjs/common';

@Controller()
export class AppController {
  @Get()
  about(): Record<string, unknown> {
    return { service: 'catalog', uid: process.getuid?.() };
  }

  @Get('/healthz')
  health(): { status: string } {
    return { status: 'ok' };
  }
}
