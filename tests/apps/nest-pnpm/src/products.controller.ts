import { Controller, Get, Param } from '@nestjs/common';
import { Product, ProductsService } from './products.service';

@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  list(): Product[] {
    return this.products.all();
  }

  @Get(':sku')
  get(@Param('sku') sku: string): Product {
    return this.products.one(sku);
  }
}
