import { Module } from '@nestjs/common';
import { ExplainController } from './explain.controller';
import { ExplainService } from './explain.service';

/** The decision explainer: POST /v1/explain, GET /v1/consumers/{name}/grants, GET /v1/routes/{name}/who. */
@Module({ controllers: [ExplainController], providers: [ExplainService] })
export class ExplainModule {}
