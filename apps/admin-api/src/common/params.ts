import { BadRequestException, PipeTransform } from '@nestjs/common';
import { isValidName } from '@oauth2/core';

/**
 * A consumer or route name from the URL. Express has already percent-decoded the segment, so
 * `default%2Froute-a` arrives as `default/route-a`; a null byte, an over-long or otherwise invalid
 * name is a 400 here, before the store sees it.
 */
export class NameParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidName(value)) throw new BadRequestException('name must be 1-253 characters of [A-Za-z0-9._~:@/-]');
    return value;
  }
}

/** A rule id from the URL: a positive decimal integer. */
export class RuleIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9]\d{0,14}$/.test(value)) throw new BadRequestException('rule id must be a positive integer');
    return Number(value);
  }
}
