import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRetention } from './audit-retention';

@Module({ controllers: [AuditController], providers: [AuditRetention] })
export class AuditModule {}
