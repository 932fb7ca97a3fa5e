from models.crm import PropertyType as PropertyTypeModel
from schema.context import Info
from schema.crm import CreateObjectTypeInput, CreatePropertyInput, ObjectType, Property
from services import crm


async def list_object_types(info: Info) -> list[ObjectType]:
    viewer = info.context.require_viewer()
    return [ObjectType.from_model(item) for item in await crm.list_object_types(viewer)]


async def create_custom_object_type(info: Info, input: CreateObjectTypeInput) -> ObjectType:
    viewer = info.context.require_viewer()
    created = await crm.create_custom_object_type(
        viewer, input.name, input.singular_label, input.plural_label
    )
    return ObjectType.from_model(created)


async def create_property(info: Info, input: CreatePropertyInput) -> Property:
    viewer = info.context.require_viewer()
    created = await crm.create_property(
        viewer,
        input.object_type,
        input.name,
        input.label,
        PropertyTypeModel(input.type),
        options=input.options,
        sensitive=input.sensitive,
    )
    return Property.from_model(created)
