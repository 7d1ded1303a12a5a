import { Module } from '@nestjs/common';
import { AdminTokensController } from './admin-tokens.controller';

@Module({ controllers: [AdminTokensController] })
export class AdminTokensModule {}
