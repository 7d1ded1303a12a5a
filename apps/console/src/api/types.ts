/**
 * The admin API's shapes, from @oauth2/contracts (the same DTOs the API validates and answers with).
 * Type-only: the classes' class-validator / swagger decorators never reach the browser bundle
 * (build.mjs fails if they do).
 */
export type {
  ApplyResultDto,
  ConsumerDto,
  ConsumerPageDto,
  ConsumerWithSecretDto,
  CreateConsumerDto,
  CreateRouteDto,
  DeleteResultDto,
  ErrorBodyDto,
  ExplainRequestDto,
  ExplainResultDto,
  ExplainStepDto,
  KeyDto,
  KeyListDto,
  PatchSettingsDto,
  ReplaceRouteDto,
  RevisionDto,
  RevocationDto,
  RevocationInputDto,
  RevocationPageDto,
  RotateKeyDto,
  RotateSecretDto,
  RouteDto,
  RoutePageDto,
  RuleDto,
  RuleInputDto,
  RulePageDto,
  SettingsDto,
} from '@oauth2/contracts';
