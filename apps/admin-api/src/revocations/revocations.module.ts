import { Module } from '@nestjs/common';
import { RevocationsController } from './revocations.controller';

@Module({ controllers: [RevocationsController] })
export class RevocationsModule {}
